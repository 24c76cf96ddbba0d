def demo_tasks() -> None:
    pass
