//! `ketnoi tips decrypt`: an exported tip opened offline with the unit's key file, so that an
//! officer can read a tip on a machine that never ran the server's JavaScript, and an agency
//! can keep its own sealed archive.

use std::path::Path;

use anyhow::Context as _;
use ketnoi_seal::{Author, DecryptedTip, Export, SealError, UnitKeyFile};

use crate::t;

/// Opens `export` with the keys in `key_file`, prints it, and writes its attachments into
/// `out` when given.
pub fn decrypt(key_file: &Path, export: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    let keys: UnitKeyFile = read_json(key_file, t("tệp khóa đơn vị", "the unit key file"))?;
    let keys = keys.keys().map_err(|e| {
        anyhow::anyhow!("{}: {e}", t("tệp khóa đơn vị hỏng", "the unit key file is damaged"))
    })?;
    let sealed: Export = read_json(export, t("tệp tin báo", "the exported tip"))?;
    let tip = ketnoi_seal::decrypt_export(&sealed, &keys).map_err(|e| match e {
        SealError::WrongKey | SealError::NotForThisKey => anyhow::anyhow!(
            "{}",
            t(
                "không khóa nào trong tệp khóa mở được tin báo này (khóa của đơn vị khác, hoặc khóa đã thay: hãy dùng tệp có cả khóa cũ)",
                "no key in the key file opens this tip (another unit's key, or a replaced one: use a file that holds the older keys too)"
            )
        ),
        other => anyhow::anyhow!(
            "{}: {other}",
            t("tin báo đã bị thay đổi hoặc hỏng", "the tip was altered or is damaged")
        ),
    })?;
    print!("{}", render(sealed.tip, &sealed.created_at, &sealed.status, &tip));
    if let Some(dir) = out {
        write_attachments(dir, sealed.tip, &tip)?;
    }
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read(path).with_context(|| {
        format!("{} {what}: {}", t("không đọc được", "cannot read"), path.display())
    })?;
    serde_json::from_slice(&text).with_context(|| {
        format!(
            "{what} {}: {}",
            t("không đúng định dạng", "is not in the right format"),
            path.display()
        )
    })
}

/// The tip as text, in Vietnamese then English labels.
fn render(id: i64, created_at: &str, status: &str, tip: &DecryptedTip) -> String {
    let c = &tip.clear;
    let mut s = format!("{} #{id}\n", t("Tin báo", "Tip"));
    let mut line = |label: &str, value: &str| s.push_str(&format!("  {label:<14} {value}\n"));
    line(t("Tài khoản", "Account"), &c.account);
    line(t("Loại", "Category"), &c.category);
    line(t("Địa bàn", "Area"), &c.area);
    line(t("Xảy ra", "Occurred"), &c.occurred);
    line(t("Người báo", "Reporter"), c.mode.as_str());
    line(t("Nhận lúc", "Received"), created_at);
    line(t("Trạng thái", "Status"), status);
    for (name, value) in &tip.body.details {
        line(name, value);
    }
    s.push_str(&format!("\n{}\n{}\n", t("Mô tả:", "Description:"), tip.body.description));
    if !tip.attachments.is_empty() {
        s.push_str(&format!("\n{}\n", t("Tệp đính kèm:", "Attachments:")));
        for (i, (entry, bytes)) in tip.attachments.iter().enumerate() {
            s.push_str(&format!(
                "  {}. {} ({}, {} bytes)\n",
                i + 1,
                entry.name,
                entry.content_type,
                bytes.len()
            ));
        }
    }
    if !tip.messages.is_empty() {
        s.push_str(&format!("\n{}\n", t("Trao đổi:", "Messages:")));
        for m in &tip.messages {
            let who = match m.author {
                Author::Unit => t("Đơn vị", "Unit"),
                Author::Reporter => t("Người báo", "Reporter"),
            };
            s.push_str(&format!("  [{}] {who}: {}\n", m.at, m.text));
        }
    }
    s
}

/// Writes each attachment as `tip-ID-N-NAME`, its name reduced to safe characters, never over
/// an existing file.
fn write_attachments(dir: &Path, id: i64, tip: &DecryptedTip) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!("{} {}", t("không tạo được thư mục", "cannot create"), dir.display())
    })?;
    for (i, (entry, bytes)) in tip.attachments.iter().enumerate() {
        let safe: String = entry
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
            .collect();
        let path = dir.join(format!("tip-{id}-{}-{}", i + 1, safe.trim_start_matches('.')));
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).open(&path).with_context(
                || format!("{} {}", t("không ghi được", "cannot write"), path.display()),
            )?;
        std::io::Write::write_all(&mut file, bytes)?;
        println!("{} {}", t("Đã ghi", "Wrote"), path.display());
    }
    Ok(())
}
