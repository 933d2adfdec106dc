"""A field agent's day written against the Python client that openapi-python-client generates from
/api/openapi.json: scripts/contract/check.sh type-checks it with ``mypy --strict``, so a change of the
document that would break a client's code fails the contract test. Not run: it is type-checked.
"""

import datetime
import uuid

from abs_api_client import AuthenticatedClient, Client
from abs_api_client.api.auth import employee_login, employee_logout
from abs_api_client.api.customer_portal import customer_create_ticket, customer_login
from abs_api_client.api.customers import create_customer
from abs_api_client.api.deliveries import get_delivery, validate_delivery
from abs_api_client.api.invoices import confirm_invoice, create_invoice
from abs_api_client.api.orders import approve_order, confirm_order, create_quotation, request_approval
from abs_api_client.api.payments import customer_dashboard, register_payment
from abs_api_client.api.products import list_products
from abs_api_client.models import (
    ApproveRequest,
    ConfirmRequest,
    CustomerCreate,
    CustomerLoginRequest,
    CustomerLoginResponse,
    CustomerResponse,
    CustomerTicketCreate,
    DashboardResponse,
    DeliveryDetailResponse,
    DeliveryLineIn,
    DeliveryState,
    DeliveryValidate,
    DeliveryValidateResponse,
    EmptyRequest,
    ErrorCode,
    ErrorResponse,
    InvoiceCreate,
    InvoiceCreatedResponse,
    InvoiceResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    LogoutResponse,
    MembershipRole,
    OrderLineIn,
    OrderResponse,
    PaymentSource,
    Priority,
    ProductListResponse,
    ProductType,
    QuotationCreate,
    RegisterPaymentRequest,
    RegisterPaymentResponse,
    TicketResponse,
    Tracking,
)
from abs_api_client.types import UNSET


def next_step(error: ErrorResponse) -> str:
    """What a client does with an error: the code is an enum, one HTTP status per code."""
    if error.code == ErrorCode.TOKEN_EXPIRED:
        return "refresh"
    if error.code in (ErrorCode.TOKEN_REVOKED, ErrorCode.UNAUTHORIZED):
        return "log in"
    if error.code in (ErrorCode.INVALID_BODY, ErrorCode.INVALID_QUERY):
        details = error.details
        fields = details.fields if details and details.fields is not UNSET else None
        return f"fix {', '.join(fields.additional_properties) if fields else 'the request'}"
    return "stop"


def fail(what: str, answer: ErrorResponse | None) -> Exception:
    if answer is None:
        return RuntimeError(f"{what}: no answer")
    return RuntimeError(f"{what}: {answer.code.value} ({next_step(answer)}): {answer.error}")


def agent_day(base_url: str, serial: str) -> datetime.datetime | None:
    anonymous = Client(base_url=base_url)

    # Morning: log in, pick the SA, read the catalogue.
    login = employee_login.sync(client=anonymous, body=LoginRequest(login="tg.agent", password="demo1234"))
    if not isinstance(login, LoginResponse):
        raise fail("login", login)
    sa = login.service_accounts[0]
    role: MembershipRole = sa.role
    agent = AuthenticatedClient(base_url=base_url, token=login.access_token, headers={"X-SA-ID": str(sa.id)})
    products = list_products.sync(client=agent, limit=50, product_type=ProductType.STORABLE)
    if not isinstance(products, ProductListResponse):
        raise fail("products", products)
    kit = next(product for product in products.products if product.tracking == Tracking.SERIAL)

    # A new customer, its quotation; an approval when the order needs one.
    created = create_customer.sync(
        client=agent,
        body=CustomerCreate(name="Amina Diallo", phone="+228 90 12 34 56", pin="2468"),
        idempotency_key=str(uuid.uuid4()),
    )
    if not isinstance(created, CustomerResponse):
        raise fail("customer", created)
    customer = created.customer
    quotation = create_quotation.sync(
        client=agent,
        body=QuotationCreate(customer_id=customer.id, products=[OrderLineIn(product_id=kit.id, quantity=1)]),
    )
    if not isinstance(quotation, OrderResponse):
        raise fail("quotation", quotation)
    order = quotation.order
    if order.approval.needs_approval and role == MembershipRole.AGENT:
        asked = request_approval.sync(order.id, client=agent, body=EmptyRequest())
        if not isinstance(asked, OrderResponse):
            raise fail("request approval", asked)
        manager = employee_login.sync(client=anonymous, body=LoginRequest(login="tg.manager", password="demo1234"))
        if not isinstance(manager, LoginResponse):
            raise fail("manager login", manager)
        staff = AuthenticatedClient(base_url=base_url, token=manager.access_token)
        approved = approve_order.sync(order.id, client=staff, body=ApproveRequest(note=f"ok ({order.state.value})"))
        if not isinstance(approved, OrderResponse):
            raise fail("approve", approved)
    confirmed = confirm_order.sync(order.id, client=agent, body=ConfirmRequest(), idempotency_key=str(uuid.uuid4()))
    if not isinstance(confirmed, OrderResponse):
        raise fail("confirm", confirmed)
    order = confirmed.order

    # The delivery, with the serial handed over.
    delivery_id = order.deliveries[0].id
    detail = get_delivery.sync(delivery_id, client=agent)
    if not isinstance(detail, DeliveryDetailResponse):
        raise fail("delivery", detail)
    line = next(move for move in detail.delivery.lines if move.tracking == Tracking.SERIAL)
    validated = validate_delivery.sync(
        delivery_id,
        client=agent,
        body=DeliveryValidate(lines=[DeliveryLineIn(move_id=line.id, qty_done=1, lot_name=serial)]),
    )
    if not isinstance(validated, DeliveryValidateResponse):
        raise fail("validate", validated)
    state: DeliveryState = validated.delivery.state
    delivered = validated.delivery.date_done  # an aware datetime: RFC 3339 with Z
    if delivered is not None and delivered.tzinfo is None:
        raise RuntimeError(f"{state.value}: a datetime without its zone")

    # Invoice, post it, take the cash.
    invoiced = create_invoice.sync(order.id, client=agent, body=InvoiceCreate())
    if not isinstance(invoiced, InvoiceCreatedResponse):
        raise fail("invoice", invoiced)
    invoice = invoiced.invoice
    posted = confirm_invoice.sync(order.id, invoice.id, client=agent, body=EmptyRequest())
    if not isinstance(posted, InvoiceResponse):
        raise fail("post invoice", posted)
    paid = register_payment.sync(
        order.id,
        client=agent,
        body=RegisterPaymentRequest(
            invoice_id=invoice.id, payment_source=PaymentSource.CASH, amount=posted.invoice.amount_residual
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    if not isinstance(paid, RegisterPaymentResponse):
        raise fail("payment", paid)

    # The customer's dashboard, then the customer opens a ticket from its own portal.
    dashboard = customer_dashboard.sync(customer.id, client=agent)
    if not isinstance(dashboard, DashboardResponse):
        raise fail("dashboard", dashboard)
    portal = customer_login.sync(client=anonymous, body=CustomerLoginRequest(phone="+228 90 12 34 56", pin="2468"))
    if not isinstance(portal, CustomerLoginResponse):
        raise fail("customer login", portal)
    ticket = customer_create_ticket.sync(
        client=AuthenticatedClient(base_url=base_url, token=portal.access_token),
        body=CustomerTicketCreate(
            subject=f"Kit {serial}: {dashboard.dashboard.outstanding} due", priority=Priority.NORMAL
        ),
    )
    if not isinstance(ticket, TicketResponse):
        raise fail("ticket", ticket)
    logout = employee_logout.sync(client=agent, body=LogoutRequest())
    if not isinstance(logout, LogoutResponse):
        raise fail("logout", logout)
    return delivered
