from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class SectionBlock(blocks.StructBlock):
    """A titled section of the home page with an optional call to action."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    body = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ol", "ul"])
    link_text = blocks.CharBlock(label=_("Link text"), required=False, max_length=60)
    link_url = blocks.CharBlock(label=_("Link address"), required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        label = _("Section")
        template = "cms/blocks/section.html"


class FigureBlock(blocks.StructBlock):
    """A headline number an editor states by hand (computed figures come later)."""

    value = blocks.CharBlock(label=_("Figure"), max_length=30)
    caption = blocks.CharBlock(label=_("Caption"), max_length=120)

    class Meta:
        icon = "order"
        label = _("Figure")
        template = "cms/blocks/figure.html"
