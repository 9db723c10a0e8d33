import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import ROLE_CAPABILITIES, Role

# A mainland mobile (optionally +86) or a landline with its area code and an optional
# extension. Nothing else: a phone is shown on the big screen and in the worker app, and
# quotes or angle brackets in it once ran script there.
PHONE_PATTERN = r"^(?:(?:\+86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$"
phone_validator = RegexValidator(
    PHONE_PATTERN,
    message=_("A phone is a mobile (11 digits) or a landline with its area code (0871-12345678)."),
    code="bad_phone",
)


def has_cjk(text: str) -> bool:
    """Any Chinese character (the unified ideographs, extension A, and B onwards)."""
    return any("\u3400" <= ch <= "\u9fff" or ch >= "\U00020000" for ch in text)


def full_name(last_name: str, first_name: str) -> str:
    """A name as it is written: a Chinese one family name first with no space (张三), any
    other given name first (Ann Lee). For rows read without the model (values_list)."""
    last, first = (last_name or "").strip(), (first_name or "").strip()
    if has_cjk(last + first):
        return f"{last}{first}"
    return f"{first} {last}".strip()


class User(AbstractUser):
    """A person who signs in. Staff roles act inside `area` and its subtree."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.RESIDENT)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoped_users",
        help_text=_("The user sees and acts on this area and everything below it."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    wechat_openid = models.CharField(
        _("WeChat openid"),
        max_length=64,
        blank=True,
        help_text=_("For WeChat template messages, from the official account the person follows."),
    )
    department = models.ForeignKey(
        "areas.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        help_text=_(
            "For department handlers: the department whose dispatched and whistled events they handle."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        # Chinese names are family name first, with no space between, in every language.
        return full_name(self.last_name, self.first_name)

    def get_short_name(self) -> str:
        return self.get_full_name() or self.username

    def has_capability(self, capability: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return capability in ROLE_CAPABILITIES.get(self.role, frozenset())


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "gg_" + secrets.token_urlsafe(32)


class PiiAccess(models.Model):
    """One unmasked read of personal data: who, when, which records, through what."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="pii_reads", verbose_name=_("user")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    model = models.CharField(_("record type"), max_length=50)
    object_ids = models.JSONField(_("record ids"), default=list)
    fields = models.JSONField(_("fields"), default=list)
    channel = models.CharField(_("channel"), max_length=20)  # api, admin, export
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data read")
        verbose_name_plural = _("personal data reads")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.model} {len(self.object_ids)}"
