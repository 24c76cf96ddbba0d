from typing import Any

from django.core.management.base import BaseCommand

from zhidu.web.demo import demo_password, load_demo


class Command(BaseCommand):
    help = "Load the demo company (if the database is empty) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo(stdout=self.stdout)
        self.stdout.write(f"\nDemo logins (password: {demo_password()}):\n")
        for role, username, name in logins:
            self.stdout.write(f"  {role:<11} {username:<16} {name}\n")
