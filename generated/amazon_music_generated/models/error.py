from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "status",
        "code",
        "message",
        "url",
        "reference",
        "payload",
    }
)


@_attrs_define
class Error:
    """What went wrong. `status` is the HTTP status as a string.

    Attributes:
        status (str):
        code (str): A stable UPPER_SNAKE code. From the errors page: BAD_REQUEST (400); INVALID_AUTH_TYPE,
            INVALID_AUTH_TOKEN, INVALID_ACCESS_TOKEN (401; the last means expired: refresh and retry);
            AUTH_NO_MUSIC_ACCOUNT_FOUND (403); THROTTLED (429, unconfirmed). The emulator also uses INVALID_API_KEY (401),
            INSUFFICIENT_SCOPE and PRIVATE_USER (403), NOT_FOUND (404), PAYLOAD_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE
            (415), INTERNAL_SERVER_ERROR (500) and SERVICE_UNAVAILABLE (503). Clients should branch on the HTTP status and
            treat unknown codes as that status's generic case.
        message (str): A human-readable explanation; names the offending field where there is one.
        url (str | Unset): A page that explains the error.
        reference (str | Unset): An identifier to quote to Amazon when asking about this error.
        payload (ErrorPayload | Unset): Details specific to the error.
    """

    status: str
    code: str
    message: str
    url: str | Unset = UNSET
    reference: str | Unset = UNSET
    payload: ErrorPayload | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("status", self.status),
            ("code", self.code),
            ("message", self.message),
            ("url", self.url),
            ("reference", self.reference),
            ("payload", self.payload),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"Error({shown})"

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        code = self.code

        message = self.message

        url = self.url

        reference = self.reference

        payload: dict[str, Any] | Unset = UNSET
        if not isinstance(self.payload, Unset):
            payload = self.payload.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "code": code,
                "message": message,
            }
        )
        if url is not UNSET:
            field_dict["url"] = url
        if reference is not UNSET:
            field_dict["reference"] = reference
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        status = src_dict["status"]

        code = src_dict["code"]

        message = src_dict["message"]

        url = src_dict.get("url", UNSET)

        reference = src_dict.get("reference", UNSET)

        _payload = src_dict.get("payload", UNSET)
        payload: ErrorPayload | Unset
        if isinstance(_payload, Unset):
            payload = UNSET
        else:
            payload = ErrorPayload.from_dict(_payload)

        error = cls(
            status,
            code,
            message,
            url,
            reference,
            payload,
        )

        if len(src_dict) > 3 and not src_dict.keys() <= _KNOWN_KEYS:
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            error.additional_properties = d
        return error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# After the class: the models refer to each other, so an import at the top could be circular.
from ..models.error_payload import ErrorPayload  # noqa: E402
