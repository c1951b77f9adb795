from django import forms
from django.utils.translation import gettext_lazy as _

from kb import limits
from kb.models import Article, Category, Language, Macro
from kb.services import MACRO_STATUSES
from tickets.models import Product, Ticket


class ArticleForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=limits.TITLE_MAX_CHARS)
    slug = forms.SlugField(
        label=_("Address (slug)"),
        max_length=limits.SLUG_MAX_CHARS,
        help_text=_("Lower-case letters, digits and dashes: /help/es/<slug>/"),
    )
    body = forms.CharField(
        label=_("Body (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=limits.BODY_MAX_CHARS,
        help_text=_("Markdown; HTML is shown as text, never run."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    tags = forms.CharField(label=_("Tags"), max_length=limits.TAGS_MAX_CHARS, required=False)
    products = forms.ModelMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.all(), required=False
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Article.Visibility.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)
    group = forms.UUIDField(widget=forms.HiddenInput, required=False)


class MacroForm(forms.ModelForm):
    shared = forms.BooleanField(
        label=_("Shared with every technician"), required=False, initial=False
    )

    minutes = forms.IntegerField(
        label=_("Time to log (minutes)"), min_value=1, max_value=24 * 60, required=False
    )

    class Meta:
        model = Macro
        fields = ["name", "language", "body", "status", "minutes", "channel"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("(keep as it is)"))] + [
            (value, label) for value, label in Ticket.Status.choices if value in MACRO_STATUSES
        ]
        if self.instance.pk:
            self.fields["shared"].initial = self.instance.owner_id is None


class MacroApplyForm(forms.Form):
    body = forms.CharField(max_length=limits.MACRO_BODY_MAX_CHARS, required=False)
