from django.core.management.base import BaseCommand, CommandError

from opendata.publish import WRITERS, open_data_publish


class Command(BaseCommand):
    help = "Generate the open-data files now (the register as CSV, JSON and OCDS; the directory in HSDS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", help=f"only these ({', '.join(WRITERS)})")

    def handle(self, *args, files: list[str], **options) -> None:
        try:
            results = open_data_publish(only=files or None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for item in results.values():
            self.stdout.write(
                f"{item.filename}: {item.rows} rows, {item.size:,} bytes, {item.generated_at:%Y-%m-%d %H:%M}"
            )
