from django import forms

from .models import Item


class ItemForm(forms.ModelForm[Item]):
    """Validates the JSON body of POST/PUT/PATCH /api/items."""

    class Meta:
        model = Item
        fields = ("name", "description")
