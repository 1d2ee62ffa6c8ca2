"""Organisations with their coverage, users, memberships (role + scope), teams and API keys."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from thrive.accounts.permissions import ROLE_CHOICES, ROLES, OrganisationType, Permission, Role
from thrive.core.classification import C, Classification

ORGANISATION_TYPE_CHOICES = [(t.value, t.label) for t in OrganisationType]


class Organisation(models.Model):
    """An agency. Its coverage (a set of areas) drives notifications, referral routing, API reach and the
    directory's areas covered."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    type = models.CharField(max_length=32, choices=ORGANISATION_TYPE_CHOICES)
    ods_code = models.CharField(max_length=10, blank=True)
    coverage = models.ManyToManyField("geography.Area", blank=True, related_name="covering_organisations")
    covers_region = models.BooleanField(default=False, help_text="Covers the whole region")
    duty_email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=128, blank=True)
    first_contact_target_days = models.PositiveSmallIntegerField(default=2)
    is_example = models.BooleanField(default=False, help_text="A fictional demonstration organisation")
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "name": C.PUBLIC,
        "slug": C.PUBLIC,
        "type": C.PUBLIC,
        "ods_code": C.PUBLIC,
        "covers_region": C.PUBLIC,
        "duty_email": C.PUBLIC,
        "webhook_url": C.PSEUDONYMOUS,
        "webhook_secret": C.SENSITIVE,
        "first_contact_target_days": C.PUBLIC,
        "is_example": C.PUBLIC,
        "created_at": C.PUBLIC,
    }

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def type_label(self) -> str:
        return OrganisationType(self.type).label


class Team(models.Model):
    """A team within an organisation (for clinicians: a service line such as early intervention in psychosis)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    service_line = models.CharField(max_length=40, blank=True)
    borough = models.ForeignKey(
        "geography.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    data_classification: ClassVar[dict[str, Classification]] = {
        "organisation": C.PUBLIC,
        "name": C.PUBLIC,
        "service_line": C.PUBLIC,
        "borough": C.PUBLIC,
    }

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation.name}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_staff", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff user. Signs in by email; every staff user must use TOTP two-factor authentication."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin (not used by default)")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    data_classification: ClassVar[dict[str, Classification]] = {
        "email": C.IDENTIFIABLE,
        "full_name": C.IDENTIFIABLE,
        "password": C.SENSITIVE,
        "last_login": C.PSEUDONYMOUS,
        "is_superuser": C.PSEUDONYMOUS,
        "is_active": C.PSEUDONYMOUS,
        "is_staff": C.PSEUDONYMOUS,
        "date_joined": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def active_memberships(self) -> list[Membership]:
        cached: list[Membership] | None = getattr(self, "_memberships_cache", None)
        if cached is None:
            cached = list(
                self.memberships.filter(is_active=True)
                .select_related("organisation", "team")
                .prefetch_related("scope_areas")
            )
            self._memberships_cache = cached
        return cached

    def permissions(self) -> frozenset[Permission]:
        granted: set[Permission] = set()
        for membership in self.active_memberships():
            granted |= membership.role_class.grants
        return frozenset(granted)

    def can(self, permission: Permission) -> bool:
        return self.is_active and permission in self.permissions()

    def memberships_granting(self, permission: Permission) -> list[Membership]:
        return [m for m in self.active_memberships() if permission in m.role_class.grants]


class Membership(models.Model):
    """A user's role in an organisation, with a geographic scope (a set of areas) and an optional team."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    scope_areas = models.ManyToManyField("geography.Area", blank=True, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "user": C.PSEUDONYMOUS,
        "organisation": C.PUBLIC,
        "role": C.PSEUDONYMOUS,
        "team": C.PUBLIC,
        "is_active": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role_class.label}, {self.organisation}"

    @property
    def role_class(self) -> type[Role]:
        return ROLES[self.role]

    @property
    def role_label(self) -> str:
        return str(ROLES[self.role].label)


class ApiKey(models.Model):
    """A key for an agency system: shown once, stored as a SHA-256 hash, scoped, expiring and revocable."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    data_classification: ClassVar[dict[str, Classification]] = {
        "organisation": C.PUBLIC,
        "name": C.PSEUDONYMOUS,
        "prefix": C.PSEUDONYMOUS,
        "key_hash": C.SENSITIVE,
        "scopes": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "expires_at": C.PSEUDONYMOUS,
        "revoked_at": C.PSEUDONYMOUS,
        "last_used_at": C.PSEUDONYMOUS,
        "created_by": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: object = None) -> bool:
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > moment  # type: ignore[operator]
