-- Schema shared by orders-api, payments-worker and erp-sync (one database, one owner per table).

CREATE TABLE orders (
    id             uuid PRIMARY KEY,
    customer_id    uuid        NOT NULL,
    email          text        NOT NULL,
    currency       char(3)     NOT NULL,
    total_cents    bigint      NOT NULL CHECK (total_cents >= 0),
    status         text        NOT NULL DEFAULT 'placed',
    placed_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_lines (
    order_id         uuid    NOT NULL REFERENCES orders (id),
    sku              text    NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents bigint  NOT NULL,
    PRIMARY KEY (order_id, sku)
);

-- orders-api
CREATE TABLE stock (
    sku        text PRIMARY KEY,
    available  integer NOT NULL CHECK (available >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- orders-api: one row per (order, sku); the primary key is what makes reserve_stock safe to retry.
CREATE TABLE stock_reservations (
    order_id    uuid    NOT NULL,
    sku         text    NOT NULL REFERENCES stock (sku),
    quantity    integer NOT NULL,
    reserved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, sku)
);

-- payments-worker
CREATE TABLE payments (
    order_id     uuid PRIMARY KEY REFERENCES orders (id),
    capture_id   text,
    amount_cents bigint NOT NULL,
    currency     char(3) NOT NULL,
    status       text   NOT NULL,
    failure      text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- erp-sync: which ERP sales order belongs to which order. Written AFTER the ERP answered,
-- so a timeout between the ERP's commit and this insert leaves no trace here.
CREATE TABLE erp_sales_orders (
    order_id        uuid PRIMARY KEY REFERENCES orders (id),
    erp_order_no    text NOT NULL,
    cash_receipt_no text,
    pushed_at       timestamptz NOT NULL DEFAULT now()
);
