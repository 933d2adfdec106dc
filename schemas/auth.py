from pydantic import BaseModel, Field

from ..models.ov_membership import ROLE_CODES
from .common import RequestBody, named_enum

MembershipRole = named_enum("MembershipRole", (code for code, _label in ROLE_CODES))


class LoginRequest(RequestBody):
    login: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)
    device_token: str | None = Field(
        None,
        min_length=10,
        max_length=4096,
        description="The `device_token` of this device's last successful login for this identity (OWASP device "
        "cookie): its failed tries are counted apart from anonymous ones, so others' wrong guesses do not lock "
        "this device out. Omit it on a device that never logged in.",
    )


class CustomerLoginRequest(RequestBody):
    phone: str = Field(min_length=3, max_length=32)
    pin: str = Field(min_length=1, max_length=16)
    device_token: str | None = Field(
        None,
        min_length=10,
        max_length=4096,
        description="The `device_token` of this device's last successful login for this identity (OWASP device "
        "cookie): its failed tries are counted apart from anonymous ones, so others' wrong guesses do not lock "
        "this device out. Omit it on a device that never logged in.",
    )


class RefreshRequest(RequestBody):
    refresh_token: str = Field(min_length=10, max_length=4096)


class LogoutRequest(RequestBody):
    refresh_token: str | None = Field(
        None,
        min_length=10,
        max_length=4096,
        description="A refresh token of the same login session (revoked with it anyway); another session's is ignored.",
    )


class ServiceAccountRole(BaseModel):
    id: int
    name: str
    code: str
    role: MembershipRole


class EmployeeInfo(BaseModel):
    id: int
    name: str


class TokenPair(BaseModel):
    success: bool = True
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


class DeviceToken(BaseModel):
    device_token: str = Field(
        description="Keep it on the device and send it with this identity's next logins (`device_token`)."
    )


class LogoutResponse(BaseModel):
    success: bool = True
    message: str = Field(examples=["Logged out"])


class LoginResponse(TokenPair, DeviceToken):
    employee: EmployeeInfo
    service_accounts: list[ServiceAccountRole]


class CustomerInfo(BaseModel):
    id: int
    name: str
    phone: str | None = None


class CustomerLoginResponse(TokenPair, DeviceToken):
    customer: CustomerInfo


class MeResponse(BaseModel):
    success: bool = True
    employee: EmployeeInfo
    service_accounts: list[ServiceAccountRole]
