from django.urls import path  # noqa: F401

app_name = "work"

urlpatterns: list = []  # type: ignore[type-arg]
