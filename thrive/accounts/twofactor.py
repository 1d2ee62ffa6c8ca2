"""TOTP enrolment, verification and recovery codes (django-otp)."""

from __future__ import annotations

import base64
import secrets

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import User

RECOVERY_CODE_COUNT = 10
ISSUER = "Thrive"


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed device shown during enrolment (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    user = device.user
    return f"otpauth://totp/{ISSUER}:{user.email}?secret={base32_secret(device)}&issuer={ISSUER}&digits=6&period=30"


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode")


def verify_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """A TOTP code or an unused recovery code (used once)."""
    device = confirmed_totp(user)
    if device is not None and code.isdigit() and device.verify_token(code):
        return device
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(code):
            return static
    return None


def confirm_enrolment(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirms the device if the code is right; returns fresh recovery codes, shown once."""
    if not (code.isdigit() and device.verify_token(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def set_known_totp(user: User, base32: str) -> TOTPDevice:
    """For demonstration accounts only: a device whose secret is published by `thrive demo-users`."""
    padded = base32 + "=" * (-len(base32) % 8)
    key_hex = base64.b32decode(padded).hex()
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key_hex, confirmed=True)
