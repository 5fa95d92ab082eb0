//! Lookups in chat: a citizen's message that starts with a dataset's command ("diem 36000001
//! 22/11/2006") is answered with the record, under the same guards as the page, keyed by the
//! citizen. The bot asks through [`ChatCommands`] before anything else.

use ketnoi_core::{AccountId, CitizenId};

use crate::features::lookups::service::{LookupProblem, Lookups, Served};

/// Commands that are answered in a conversation whatever the bot's state: the citizen asked
/// for a record, not for a conversation.
pub trait ChatCommands: Send + Sync {
    /// The answer to `text` from a citizen of `account`, when it starts with one of the
    /// account's commands.
    fn answer(&self, account: AccountId, citizen: CitizenId, text: &str) -> Option<String>;
}

impl ChatCommands for Lookups {
    fn answer(&self, account: AccountId, citizen: CitizenId, text: &str) -> Option<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let served = self.of_account(account).into_iter().find(|s| {
            let n = s.command.split_whitespace().count();
            n > 0 && words.len() >= n && ketnoi_text::search_key(&words[..n].join(" ")) == s.command
        })?;
        let args = &words[served.command.split_whitespace().count()..];
        let spec = served.data.spec();
        let usage = {
            let mut parts =
                vec![served.command.clone(), format!("<{}>", label_of(spec, &spec.key))];
            parts.extend(spec.verify.iter().map(|c| format!("<{}>", label_of(spec, c))));
            parts.join(" ")
        };
        let Some((key, rest)) = args.split_first() else {
            return Some(format!("Để tra cứu {}, hãy nhắn: {usage}", served.title));
        };
        // One verification column takes the rest of the message ("22 11 2006" too); several
        // take a word each.
        let values: Vec<String> = match spec.verify.len() {
            0 => vec![],
            1 => vec![rest.join(" ")],
            _ => rest.iter().map(|w| (*w).to_owned()).collect(),
        };
        let params: Vec<(String, String)> = spec.verify.iter().cloned().zip(values).collect();
        let client = || self.citizen_client(citizen);
        match self.find(&served, key, &params, client) {
            Ok(values) => Some(record_text(&served, values)),
            Err(LookupProblem::NoMatch) => Some(format!(
                "Không tìm thấy kết quả phù hợp. Vui lòng kiểm tra lại và nhắn theo mẫu: {usage}"
            )),
            Err(LookupProblem::RateLimited(r)) => Some(format!(
                "Bạn tra cứu quá nhanh. Vui lòng thử lại sau {} giây.",
                r.header_secs()
            )),
            Err(LookupProblem::Locked(r)) => Some(format!(
                "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng {} phút.",
                r.header_secs().div_ceil(60)
            )),
            Err(_) => Some(format!("Tin nhắn chưa đúng mẫu. Hãy nhắn: {usage}")),
        }
    }
}

/// The label a dataset shows a column under (its header when it is not shown).
pub fn label_of<'a>(spec: &'a ketnoi_lookup::dataset::Spec, column: &'a str) -> &'a str {
    spec.show.iter().find(|(c, _)| c == column).map_or(column, |(_, label)| label.as_str())
}

/// A record as a chat message: the dataset's title, then `label: value` per non-empty value.
pub fn record_text(served: &Served, values: &[u8]) -> String {
    let labels: Vec<String> = serde_json::from_slice(served.data.labels_json()).unwrap_or_default();
    // An empty cell is stored as null.
    let values: Vec<Option<String>> = serde_json::from_slice(values).unwrap_or_default();
    let mut text = served.title.clone();
    for (label, value) in labels.iter().zip(&values) {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            text.push_str(&format!("\n{label}: {value}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_with_empty_cells_reads_as_its_filled_ones() {
        // Regression: an empty cell (stored as null) made the whole record unreadable, and the
        // chat answer held only the title.
        let spec = ketnoi_lookup::dataset::Spec { key: "sbd".into(), ..Default::default() };
        let csv = "sbd,ho_ten,vat_li,toan\n01,Lê Văn A,,8.50\n";
        let data =
            ketnoi_lookup::dataset::import(csv.as_bytes(), &spec).unwrap_or_else(|r| panic!("{r}"));
        let served = Served::for_tests("Điểm thi", data);
        let values = served.data.get("01", &[]).unwrap_or_else(|| panic!("no record"));
        assert_eq!(record_text(&served, values), "Điểm thi\nsbd: 01\nho_ten: Lê Văn A\ntoan: 8.50");
    }
}
