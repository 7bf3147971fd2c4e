"""A factor the model does not hold: approvers enrolled with a passkey (WebAuthn, the `webauthn`
package), whose user verification the approval page requires when `approval_factor = "passkey"`.

Approvers are kept in the state folder (`approvers.json`, mode 0600): a name, the credential's id
and public key, and its signature counter. The relying party is `localhost`: the approval page and
the enrollment page are served on loopback, where browsers allow WebAuthn over plain HTTP, and a
passkey made on one port works on another.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RP_ID = "localhost"
RP_NAME = "claude-admin-mcp"
NAME_MAX = 64


class PasskeyError(Exception):
    """A passkey step that failed; the message is safe to show on the page."""


@dataclass(frozen=True)
class Approver:
    name: str
    credential_id: str
    public_key: str
    sign_count: int
    added: str


class Approvers:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def all(self) -> list[Approver]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise PasskeyError(
                f"cannot read the approvers file {self.path}: {exc.__class__.__name__}"
            ) from None
        return [Approver(**entry) for entry in data if isinstance(entry, dict)]

    def _save(self, approvers: list[Approver]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".approvers-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([asdict(a) for a in approvers], handle, indent=1)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def add(self, approver: Approver) -> None:
        with self._lock:
            approvers = [a for a in self.all() if a.name != approver.name]
            self._save([*approvers, approver])

    def remove(self, name: str) -> bool:
        with self._lock:
            approvers = self.all()
            kept = [a for a in approvers if a.name != name]
            self._save(kept)
            return len(kept) != len(approvers)

    def counted(self, approver: Approver, sign_count: int) -> None:
        with self._lock:
            self._save(
                [
                    Approver(a.name, a.credential_id, a.public_key, sign_count, a.added)
                    if a.credential_id == approver.credential_id
                    else a
                    for a in self.all()
                ]
            )


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or not name.isprintable():
        raise PasskeyError(f"an approver's name is 1 to {NAME_MAX} printable characters")
    return name


def registration_options(name: str, existing: list[Approver]) -> tuple[str, bytes]:
    """The options the enrollment page passes to `navigator.credentials.create`, and their challenge."""
    # webauthn is loaded when a passkey is used: it would add 50 ms to every start.
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=RP_ID,
        rp_name=RP_NAME,
        user_name=name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(a.credential_id)) for a in existing
        ],
    )
    return options_to_json(options), options.challenge


def enroll(name: str, credential: dict[str, Any], challenge: bytes, origin: str) -> Approver:
    # webauthn is loaded when a passkey is used: it would add 50 ms to every start.
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(f"the passkey could not be registered: {exc}") from None
    return Approver(
        name=name,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        added=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )


def authentication_options(approvers: list[Approver]) -> tuple[str, bytes]:
    """The options the approval page passes to `navigator.credentials.get`, and their challenge."""
    # webauthn is loaded when a passkey is used: it would add 50 ms to every start.
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

    if not approvers:
        raise PasskeyError("no approver is enrolled: `claude-admin-mcp approvers add NAME` enrolls one")
    options = generate_authentication_options(
        rp_id=RP_ID,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(a.credential_id)) for a in approvers
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


def authenticate(store: Approvers, credential: dict[str, Any], challenge: bytes, origin: str) -> Approver:
    """The enrolled approver whose passkey, with user verification, signed `challenge`."""
    # webauthn is loaded when a passkey is used: it would add 50 ms to every start.
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    approver = next((a for a in store.all() if a.credential_id == credential.get("id")), None)
    if approver is None:
        raise PasskeyError("that passkey belongs to no enrolled approver")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(approver.public_key),
            credential_current_sign_count=approver.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(f"the passkey check failed: {exc}") from None
    store.counted(approver, verified.new_sign_count)
    return approver
