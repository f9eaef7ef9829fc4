import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archive.editing.roles import EDITORS


class Command(BaseCommand):
    help = (
        "Create a staff account in the Editors group. Asks for the password, or reads "
        "it from DJANGO_EDITOR_PASSWORD when not run at a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already an account called “{username}”.")
        user = User(username=username, email=email, is_staff=True)
        password = os.environ.get("DJANGO_EDITOR_PASSWORD")
        if password:  # not at a terminal: nobody to ask again
            problem = self.problem(password, user)
            if problem:
                raise CommandError(problem)
        else:
            password = self.ask_password(user)
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=EDITORS))
        self.stdout.write(self.style.SUCCESS(f"Editor “{username}” can now sign in at /admin/."))

    TRIES = 3

    def ask_password(self, user) -> str:
        """Ask until a password is good enough and typed the same twice (three tries)."""
        for _try in range(self.TRIES):
            password = getpass.getpass("Password: ")
            problem = self.problem(password, user)
            if not problem and password != getpass.getpass("Password (again): "):
                problem = "The passwords differ."
            if not problem:
                return password
            self.stderr.write(f"{problem} Try again.")
        raise CommandError(f"No account made: no good password in {self.TRIES} tries.")

    @staticmethod
    def problem(password: str, user) -> str:
        """What is wrong with a password (Django's validators), or ""."""
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return " ".join(exc.messages)
        return ""
