//! A small client for ketnoi's WebSocket (`/api/v1/ws`), used by `ketnoi bench chat` and by
//! the integration tests.

use std::time::Duration;

use anyhow::Context as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{
        Message, client::IntoClientRequest as _, http::HeaderValue, protocol::WebSocketConfig,
    },
};

/// What the next read found.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// A JSON frame.
    Frame(Value),
    /// The server closed the connection, with its code and reason if it gave them.
    Closed(Option<(u16, String)>),
    /// Nothing came in time.
    Timeout,
}

/// One WebSocket connection, signed in with a bearer token.
pub struct LiveClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl LiveClient {
    /// Connects to the server at `base` (`http://host:port`) as the holder of `token`, and
    /// reads its `hello`.
    pub async fn connect(base: &str, token: &str) -> anyhow::Result<(Self, Value)> {
        let url = format!("{}/api/v1/ws", base.replacen("http", "ws", 1));
        let mut request = url.as_str().into_client_request()?;
        request
            .headers_mut()
            .insert("authorization", HeaderValue::from_str(&format!("Bearer {token}"))?);
        // Small buffers: the benchmark holds thousands of these.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0)
            .max_message_size(Some(1 << 20));
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
            .await
            .context("WebSocket connection failed")?;
        let mut client = Self { ws };
        match client.next(Duration::from_secs(10)).await? {
            Next::Frame(hello) if hello["type"] == "hello" => Ok((client, hello)),
            other => anyhow::bail!("expected hello, got {other:?}"),
        }
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: &Value) -> anyhow::Result<()> {
        self.ws.send(Message::Text(frame.to_string().into())).await?;
        Ok(())
    }

    /// Sends raw text, well-formed or not.
    pub async fn send_text(&mut self, text: &str) -> anyhow::Result<()> {
        self.ws.send(Message::Text(text.to_owned().into())).await?;
        Ok(())
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.ws.send(Message::Binary(bytes.to_vec().into())).await?;
        Ok(())
    }

    /// The next JSON frame, skipping pings and pongs.
    pub async fn next(&mut self, wait: Duration) -> anyhow::Result<Next> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(read) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Ok(Next::Timeout);
            };
            match read {
                Some(Ok(Message::Text(text))) => {
                    let value = serde_json::from_str(text.as_str())
                        .with_context(|| format!("server sent non-JSON text: {text}"))?;
                    return Ok(Next::Frame(value));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Ok(Next::Closed(
                        frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                    ));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Ok(Next::Closed(None)),
            }
        }
    }

    /// The next frame, which must come within `wait`.
    pub async fn frame(&mut self, wait: Duration) -> anyhow::Result<Value> {
        match self.next(wait).await? {
            Next::Frame(v) => Ok(v),
            other => anyhow::bail!("expected a frame, got {other:?}"),
        }
    }

    /// Closes politely.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
