from django import forms
from django.utils.translation import gettext_lazy as _

from reports.services import COMMENT_MAX


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
