from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


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


# --- The body of the site's pages ---------------------------------------------------------


class CalloutBlock(blocks.StructBlock):
    """A boxed note that stands out from the text: what to know before anything else."""

    tone = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Information")), ("important", _("Important")), ("success", _("Good to know"))],
        default="info",
        search_index=False,  # "Important" is not what the page is about
    )
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    body = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "warning"
        label = _("Call-out")
        template = "cms/blocks/callout.html"


class CaptionedImageBlock(blocks.StructBlock):
    """An image with the text a screen reader says instead, and an optional caption."""

    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Text alternative"),
        max_length=200,
        required=False,
        help_text=_("What the image shows, for readers who cannot see it. Leave empty if it is decoration."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class DocumentLinkBlock(blocks.StructBlock):
    """A document to download, with its type and size shown beside the link."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"), required=False, max_length=200, help_text=_("The document's title if empty.")
    )

    class Meta:
        icon = "doc-full-inverse"
        label = _("Document")
        template = "cms/blocks/document.html"


class StepBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Step"), max_length=120)
    body = blocks.RichTextBlock(label=_("What happens"), features=["bold", "italic", "link", "ol", "ul"])


class StepsBlock(blocks.StructBlock):
    """Numbered steps of a procedure, in order (an ordered list, so the numbers are real)."""

    intro = blocks.CharBlock(label=_("Introduction"), required=False, max_length=300)
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Numbered steps")
        template = "cms/blocks/steps.html"


def body_blocks() -> list[tuple[str, blocks.Block]]:
    """The blocks of a page's body (standard, news, guidance and policy pages)."""
    return [
        ("heading", blocks.CharBlock(label=_("Heading"), max_length=120, template="cms/blocks/heading.html")),
        (
            "paragraph",
            blocks.RichTextBlock(
                label=_("Text"), features=["h3", "bold", "italic", "link", "ol", "ul", "document-link"]
            ),
        ),
        ("image", CaptionedImageBlock()),
        ("document", DocumentLinkBlock()),
        ("callout", CalloutBlock()),
        ("figures", blocks.ListBlock(FigureBlock(), label=_("Figures"), template="cms/blocks/figures.html")),
        ("steps", StepsBlock()),
    ]
