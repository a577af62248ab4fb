"""Platform staff extend the synonym list from the CMS as well (Snippets → Synonym groups)."""

from wagtail.snippets.models import register_snippet

from matching.models import SynonymGroup

register_snippet(SynonymGroup)
