from django.core.management.base import BaseCommand

from cms.search_index import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the public site search's index from the live, public pages."

    def handle(self, *args, **options):
        count = index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} pages."))
