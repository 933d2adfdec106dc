// A field agent's day written against the types generated from /api/openapi.json (openapi-typescript) and
// called with openapi-fetch: scripts/contract/check.sh compiles it with `tsc --strict`, so a change of the
// document that would break a mobile client's code fails the contract test. Not run: it is compiled.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];
type ErrorCode = Schemas["ErrorCode"];

/** What a client does with an error: the code is an enum, one HTTP status per code. */
export function nextStep(error: Schemas["ErrorResponse"]): "refresh" | "log in" | "fix the request" | "retry" | "stop" {
  const code: ErrorCode = error.code;
  switch (code) {
    case "token_expired":
      return "refresh";
    case "token_revoked":
    case "unauthorized":
      return "log in";
    case "invalid_body":
    case "invalid_query":
      // details.fields: field -> what is wrong with it
      for (const [field, problem] of Object.entries(error.details?.fields ?? {})) {
        console.warn(`${field}: ${problem}`);
      }
      return "fix the request";
    case "concurrent_update":
      return "retry";
    default:
      return "stop";
  }
}

function fail(what: string, error: Schemas["ErrorResponse"] | undefined): never {
  throw new Error(`${what}: ${error ? `${error.code} (${nextStep(error)}): ${error.error}` : "no answer"}`);
}

function authorized(baseUrl: string, token: string, saId?: number): Client<paths> {
  const api = createClient<paths>({ baseUrl });
  api.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      if (saId !== undefined) request.headers.set("X-SA-ID", String(saId));
      return request;
    },
  });
  return api;
}

export async function agentDay(baseUrl: string, serial: string): Promise<Date | null> {
  const anonymous = createClient<paths>({ baseUrl });

  // Morning: log in, pick the SA, read the catalogue.
  const login = await anonymous.POST("/api/auth/login", { body: { login: "tg.agent", password: "demo1234" } });
  if (!login.data) fail("login", login.error);
  const sa = login.data.service_accounts[0];
  if (!sa) throw new Error("no service account");
  const role: Schemas["MembershipRole"] = sa.role;
  const agent = authorized(baseUrl, login.data.access_token, sa.id);
  const products = await agent.GET("/api/products", { params: { query: { limit: 50, product_type: "storable" } } });
  if (!products.data) fail("products", products.error);
  const kit = products.data.products.find((product) => product.tracking === "serial");
  if (!kit) throw new Error("no serial-tracked product");

  // A new customer, its quotation; an approval when the order needs one.
  const created = await agent.POST("/api/customers", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { name: "Amina Diallo", phone: "+228 90 12 34 56", pin: "2468" },
  });
  if (!created.data) fail("customer", created.error);
  const customer = created.data.customer;
  const quotation = await agent.POST("/api/quotations", {
    body: { customer_id: customer.id, products: [{ product_id: kit.id, quantity: 1 }] },
  });
  if (!quotation.data) fail("quotation", quotation.error);
  let order: Schemas["OrderOut"] = quotation.data.order;
  const orderState: Schemas["OrderState"] = order.state;
  if (order.approval.needs_approval && role === "agent") {
    const asked = await agent.POST("/api/orders/{order_id}/request-approval", {
      params: { path: { order_id: order.id } },
      body: {},
    });
    if (!asked.data) fail("request approval", asked.error);
    const manager = await anonymous.POST("/api/auth/login", { body: { login: "tg.manager", password: "demo1234" } });
    if (!manager.data) fail("manager login", manager.error);
    const approved = await authorized(baseUrl, manager.data.access_token).POST("/api/orders/{order_id}/approve", {
      params: { path: { order_id: order.id } },
      body: { note: `approved (${orderState})` },
    });
    if (!approved.data) fail("approve", approved.error);
  }
  const confirmed = await agent.POST("/api/orders/{order_id}/confirm", {
    params: { path: { order_id: order.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
    body: {},
  });
  if (!confirmed.data) fail("confirm", confirmed.error);
  if (confirmed.response.headers.get("Idempotent-Replayed") === "true") console.info("confirmed before");
  order = confirmed.data.order;

  // The delivery, with the serial handed over.
  const deliveryRef = order.deliveries[0];
  if (!deliveryRef) throw new Error("no delivery");
  const detail = await agent.GET("/api/stock/deliveries/{delivery_id}", {
    params: { path: { delivery_id: deliveryRef.id } },
  });
  if (!detail.data) fail("delivery", detail.error);
  const state: Schemas["DeliveryState"] = detail.data.delivery.state;
  const line = detail.data.delivery.lines.find((move) => move.tracking === "serial");
  if (!line || state === "done") throw new Error("nothing to deliver");
  const validated = await agent.POST("/api/stock/deliveries/{delivery_id}/validate", {
    params: { path: { delivery_id: deliveryRef.id } },
    body: { lines: [{ move_id: line.id, qty_done: 1, lot_name: serial }] },
  });
  if (!validated.data) fail("validate", validated.error);
  const doneAt = validated.data.delivery.date_done;
  const delivered: Date | null = doneAt === null ? null : new Date(doneAt); // RFC 3339 with Z: no zone guess

  // Invoice, post it, take the cash.
  const invoiced = await agent.POST("/api/orders/{order_id}/invoice", {
    params: { path: { order_id: order.id } },
    body: {},
  });
  if (!invoiced.data) fail("invoice", invoiced.error);
  const invoice = invoiced.data.invoice;
  const posted = await agent.POST("/api/orders/{order_id}/invoices/{invoice_id}/confirm", {
    params: { path: { order_id: order.id, invoice_id: invoice.id } },
    body: {},
  });
  if (!posted.data) fail("post invoice", posted.error);
  const paid = await agent.POST("/api/orders/{order_id}/register-payment", {
    params: { path: { order_id: order.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { invoice_id: invoice.id, payment_source: "cash", amount: posted.data.invoice.amount_residual },
  });
  if (!paid.data) fail("payment", paid.error);
  const paymentState: Schemas["PaymentState"] = paid.data.payment.state;

  // The customer's dashboard, then the customer opens a ticket from its own portal.
  const dashboard = await agent.GET("/api/customers/{customer_id}/dashboard", {
    params: { path: { customer_id: customer.id } },
  });
  if (!dashboard.data) fail("dashboard", dashboard.error);
  const portal = await anonymous.POST("/api/customer/auth/login", { body: { phone: "+228 90 12 34 56", pin: "2468" } });
  if (!portal.data) fail("customer login", portal.error);
  const ticket = await authorized(baseUrl, portal.data.access_token).POST("/api/customer/tickets", {
    body: { subject: `Kit ${serial} (${paymentState}, ${dashboard.data.dashboard.outstanding} due)`, priority: "normal" },
  });
  if (!ticket.data) fail("ticket", ticket.error);
  const logout = await agent.POST("/api/auth/logout", { body: {} });
  if (!logout.data) fail("logout", logout.error);
  console.info(logout.data.message);
  return delivered;
}
