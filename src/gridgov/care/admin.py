"""Back office for the special groups: names, visibility, visit plans, review periods and
each group's own fields are editable by district-level staff (decision: groups are data).
Saves go through care.services.care_tag_save, which checks the fields' definitions.
Memberships and visits are not listed here: they are personal and live on the registry's
pages under the sensitive rule."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.accounts.services import district_level
from gridgov.care.fields import fields_clean
from gridgov.care.models import CareTag
from gridgov.care.services import care_tag_save
from gridgov.common.errors import DomainError


class CareTagForm(forms.ModelForm):
    class Meta:
        model = CareTag
        fields = [
            "key",
            "name",
            "sensitive",
            "visit_every_days",
            "review_every_days",
            "fields",
            "position",
            "active",
        ]
        help_texts = {
            "fields": _(
                'A list of fields, e.g. [{"key": "guardian", "label": "监护人", "kind": "text", '
                '"required": true}]; kinds: text, number, choice (with "choices"), date, bool, '
                "phone."
            )
        }

    def clean_fields(self):  # noqa: D102 - the form field named "fields"
        value = self.cleaned_data["fields"]
        if isinstance(value, str):
            value = json.loads(value)
        try:
            return fields_clean(value)
        except DomainError as error:
            raise ValidationError(error.message) from None


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    form = CareTagForm
    list_display = ["name", "key", "sensitive", "visit_every_days", "review_every_days", "active"]
    list_editable = ["visit_every_days", "review_every_days", "active"]
    ordering = ["position", "id"]

    # The groups and their visit plans hold for the whole district: set by its registry's
    # editors (district staff), not by the command center or departments at that level.
    def _district_editor(self, request) -> bool:
        return can(request.user, Capability.REGISTRY_EDIT) and district_level(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._district_editor(request)

    def has_module_permission(self, request) -> bool:
        return self._district_editor(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._district_editor(request)

    def has_add_permission(self, request) -> bool:
        return self._district_editor(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a group with members is ended (inactive), never deleted

    def save_model(self, request, obj, form, change) -> None:
        try:
            care_tag_save(user=request.user, tag=obj, changed=list(form.changed_data))
        except DomainError as error:
            messages.error(request, error.message)
