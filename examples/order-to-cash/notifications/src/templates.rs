//! Plain-text emails. The HTML version lives in the mail provider's template editor and is
//! selected by the `template` field; this text is the fallback every client can show.

use crate::email::OrderPlaced;

pub const CONFIRMATION_TEMPLATE: &str = "order-confirmation-v3";

pub struct Email {
    pub subject: String,
    pub text: String,
}

pub fn confirmation(order: &OrderPlaced) -> Email {
    let short_id = order.order_id.simple().to_string()[..8].to_uppercase();
    let mut text = String::new();
    text.push_str("Thank you for your order.\n\n");
    text.push_str(&format!("Order number: {short_id}\n"));
    text.push_str(&format!(
        "Placed on: {}\n\n",
        order.placed_at.format("%d %B %Y, %H:%M UTC")
    ));
    for line in &order.lines {
        text.push_str(&format!(
            "  {:>3} x {:<24} {}\n",
            line.quantity,
            line.sku,
            money(
                i64::from(line.quantity) * line.unit_price_cents,
                &order.currency
            )
        ));
    }
    text.push_str(&format!(
        "\nTotal: {}\n\n",
        money(order.total_cents, &order.currency)
    ));
    text.push_str("We will email you again when your parcel leaves our warehouse.\n");
    text.push_str("Questions? Reply to this email or call +44 20 7946 0321.\n");
    Email {
        subject: format!("Your order {short_id} is confirmed"),
        text,
    }
}

fn money(cents: i64, currency: &str) -> String {
    let symbol = match currency {
        "EUR" => "€",
        "GBP" => "£",
        "USD" => "$",
        _ => "",
    };
    let amount = format!("{}.{:02}", cents / 100, (cents % 100).abs());
    if symbol.is_empty() {
        format!("{amount} {currency}")
    } else {
        format!("{symbol}{amount}")
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn formats_known_and_unknown_currencies() {
        assert_eq!(money(1999, "EUR"), "€19.99");
        assert_eq!(money(500, "SEK"), "5.00 SEK");
    }
}
