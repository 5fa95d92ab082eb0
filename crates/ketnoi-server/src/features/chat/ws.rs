//! `GET /api/v1/ws`: live conversation events for citizens and officers.
//!
//! The protocol is JSON text frames. The server opens with `hello`. A client may then send
//! `resume` with the last numbers it saw (per conversation for citizens, per account inbox for
//! officers) and receives exactly what it missed, in order, then `resumed`; after that, live
//! events. `read` marks a conversation read; `ping` is answered with `pong` (browsers cannot
//! send WebSocket pings); an officer's `presence` (viewing, typing, left a conversation) goes to
//! the other officers of the inbox holding it as a `presence` frame, never stored or replayed. A frame the server cannot understand closes the connection with a
//! reason; the server sends pings and closes connections that stop answering, and a connection
//! that cannot keep up with its events is closed so the client resumes.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use axum::{
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message as WsMessage, WebSocket},
    },
    http::{HeaderMap, header},
    response::Response,
};
use ketnoi_core::{AccountId, CitizenId, ConversationId, Side, Timestamp};
use ketnoi_store::{ChatWrite, MessageRange};
use serde::Deserialize;
use tokio::time::{Instant, timeout};

use crate::kernel::hub::{Delivery, HubEvent, Topic};
use crate::{
    features::chat::scope::ChatScope,
    features::chat::service::ChatState,
    kernel::auth::{self, Caller},
    kernel::error::ApiError,
};

/// Bytes the connection reads from the socket at once. Client frames are small; this is what
/// an idle connection costs, so it stays small (tungstenite's default is 128 KiB).
const READ_BUFFER: usize = 1024;
/// The largest frame or message a client may send.
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
/// How much unsent output a connection may hold before it is judged too slow.
const MAX_WRITE_BUFFER: usize = 256 * 1024;
/// How often the server pings.
const PING_EVERY: Duration = Duration::from_secs(25);
/// A connection silent this long (no frame, no pong) is closed.
const IDLE_LIMIT: Duration = Duration::from_secs(70);
/// How long one send may block before the client is judged too slow.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Every this many pings the session is checked again, so signing out ends live connections.
const SESSION_CHECK_PINGS: u32 = 6;
/// The least time between two presence signals of one connection.
const PRESENCE_EVERY: Duration = Duration::from_secs(1);
/// Rows fetched per round while catching a client up.
const BACKFILL_PAGE: i64 = 200;

/// Close codes (RFC 6455 §7.4).
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_UNSUPPORTED: u16 = 1003;
const CLOSE_INVALID: u16 = 1007;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TRY_AGAIN: u16 = 1013;
/// The session ended (application range).
const CLOSE_SIGNED_OUT: u16 = 4401;

/// Upgrades to a WebSocket for the caller's conversations.
pub(crate) async fn upgrade(
    State(state): State<ChatState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    if crate::kernel::http::cookie(&headers, auth::SESSION_COOKIE).is_some()
        && headers.get(header::AUTHORIZATION).is_none()
        && websocket_cross_site(&headers)
    {
        return Err(ApiError::CsrfRejected);
    }
    let caller = crate::kernel::session::resolve_caller(&state, &headers).await?;
    let token_hash = match &caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Citizen { token_hash, .. }
        | Caller::Staff { token_hash, .. }
        | Caller::Account { token_hash, .. } => token_hash.clone(),
    };
    let scope = crate::features::chat::scope::of(&state, &caller).await?;
    // Officers' presence is signed with their name; integrations and citizens have none.
    let officer = match &caller {
        Caller::Staff { staff, .. } => Some((staff.id.0, staff.display_name.to_string())),
        _ => None,
    };
    Ok(ws
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| async move {
            let mut conn = Connection {
                state,
                scope,
                token_hash,
                socket,
                cursors: Cursors::default(),
                officer,
                last_presence: (None, None, 0),
            };
            let reason = conn.run().await;
            conn.close(reason).await;
        }))
}

/// A browser opening a WebSocket always says where the page came from; a cookie-authenticated
/// connection must come from this site's own pages.
fn websocket_cross_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        (Some(_), None) => true,
        // Not a browser: programs attach cookies only on purpose.
        (None, _) => false,
    }
}

/// What a client may send.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
enum ClientFrame {
    /// Catch up from these numbers.
    Resume {
        /// Conversation id (as a JSON object key) → last message number seen.
        #[serde(default)]
        conversations: HashMap<String, i64>,
        /// Account id → last inbox event number seen.
        #[serde(default)]
        accounts: HashMap<String, i64>,
    },
    /// Mark a conversation read up to `seq`.
    Read { conversation: i64, seq: i64 },
    /// Keep-alive.
    Ping,
    /// An officer is looking at a conversation, typing in it, or has left it: passed on to the
    /// other officers of the inbox that holds it (never to the citizen, never stored).
    Presence { conversation: i64, state: PresenceState },
}

/// What an officer is doing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum PresenceState {
    Viewing,
    Typing,
    Left,
}

/// The last number delivered on each stream.
#[derive(Default)]
struct Cursors {
    conversations: HashMap<ConversationId, i64>,
    accounts: HashMap<AccountId, i64>,
}

struct Connection {
    state: ChatState,
    scope: ChatScope,
    token_hash: String,
    socket: WebSocket,
    cursors: Cursors,
    /// The officer's id and name, for presence signals.
    officer: Option<(i64, String)>,
    /// What this connection last signalled and when, and how many signals since the start of
    /// the current one-second window (see [`PRESENCE_EVERY`]).
    last_presence: (Option<(PresenceState, Instant)>, Option<Instant>, u32),
}

/// Why a connection ends.
struct Ending {
    code: u16,
    reason: &'static str,
}

impl Ending {
    const fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason }
    }
}

type Flow<T = ()> = Result<T, Ending>;

impl Connection {
    async fn run(&mut self) -> Ending {
        let topics = self.scope.topics();
        let chat = self.state.chat.clone();
        let mut subscription = chat.hub().subscribe(&topics);
        if let Err(end) = self.hello().await {
            return end;
        }
        let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        let mut last_heard = Instant::now();
        let mut pings = 0u32;
        loop {
            let step = tokio::select! {
                frame = self.socket.recv() => match frame {
                    Some(Ok(frame)) => {
                        last_heard = Instant::now();
                        self.on_frame(frame).await
                    }
                    // The client went away.
                    Some(Err(_)) | None => return Ending::new(CLOSE_GOING_AWAY, ""),
                },
                event = subscription.events.recv() => match event {
                    Some(Delivery::Event(event)) => self.deliver(&event).await,
                    Some(Delivery::Notice(frame)) => self.send(frame.to_string()).await,
                    None => Err(Ending::new(CLOSE_TRY_AGAIN, "too slow: reconnect and resume")),
                },
                _ = ping.tick() => {
                    pings += 1;
                    self.heartbeat(last_heard, pings).await
                }
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    async fn close(&mut self, end: Ending) {
        if end.code == CLOSE_GOING_AWAY && end.reason.is_empty() {
            return;
        }
        let frame = CloseFrame { code: end.code, reason: end.reason.into() };
        let _ =
            timeout(Duration::from_secs(2), self.socket.send(WsMessage::Close(Some(frame)))).await;
    }

    async fn send(&mut self, text: String) -> Flow {
        match timeout(SEND_TIMEOUT, self.socket.send(WsMessage::Text(text.into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Ending::new(CLOSE_GOING_AWAY, "")),
            Err(_) => Err(Ending::new(CLOSE_TRY_AGAIN, "too slow: reconnect and resume")),
        }
    }

    async fn hello(&mut self) -> Flow {
        let frame = match &self.scope {
            ChatScope::Citizen(id) => serde_json::json!({
                "type": "hello", "role": "citizen", "citizen": id.0,
                "ping_seconds": PING_EVERY.as_secs(),
            }),
            ChatScope::Staff { read, .. } => serde_json::json!({
                "type": "hello", "role": "staff",
                "accounts": read.iter().map(|a| a.0).collect::<Vec<_>>(),
                "ping_seconds": PING_EVERY.as_secs(),
            }),
        };
        self.send(frame.to_string()).await
    }

    async fn heartbeat(&mut self, last_heard: Instant, pings: u32) -> Flow {
        if last_heard.elapsed() > IDLE_LIMIT {
            return Err(Ending::new(CLOSE_GOING_AWAY, "idle"));
        }
        if pings.is_multiple_of(SESSION_CHECK_PINGS) {
            // Asked of storage itself: a session ended on another node must end here too.
            match self.state.store.session(&self.token_hash, Timestamp::now()).await {
                Ok(Some(_)) => {}
                Ok(None) => return Err(Ending::new(CLOSE_SIGNED_OUT, "session ended")),
                // A database hiccup is not the client's fault; check again next time.
                Err(e) => tracing::warn!(error = ?e, "websocket session check failed"),
            }
        }
        match timeout(SEND_TIMEOUT, self.socket.send(WsMessage::Ping(Default::default()))).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Ending::new(CLOSE_GOING_AWAY, "")),
        }
    }

    async fn on_frame(&mut self, frame: WsMessage) -> Flow {
        let text = match frame {
            WsMessage::Text(text) => text,
            WsMessage::Binary(_) => {
                return Err(Ending::new(CLOSE_UNSUPPORTED, "only JSON text frames are accepted"));
            }
            WsMessage::Close(_) => return Err(Ending::new(CLOSE_NORMAL, "")),
            WsMessage::Ping(_) | WsMessage::Pong(_) => return Ok(()),
        };
        let parsed: ClientFrame = serde_json::from_str(text.as_str()).map_err(|_| {
            Ending::new(CLOSE_INVALID, "malformed frame: expected a JSON object with a known type")
        })?;
        match parsed {
            ClientFrame::Ping => self.send(r#"{"type":"pong"}"#.to_owned()).await,
            ClientFrame::Read { conversation, seq } => {
                self.read(ConversationId(conversation), seq).await
            }
            ClientFrame::Resume { conversations, accounts } => {
                self.resume(conversations, accounts).await
            }
            ClientFrame::Presence { conversation, state } => {
                self.presence(ConversationId(conversation), state).await
            }
        }
    }

    /// Passes an officer's presence to the other officers of the inbox holding the conversation.
    async fn presence(&mut self, id: ConversationId, state: PresenceState) -> Flow {
        let Some((staff, name)) = self.officer.clone() else {
            return self.refuse("forbidden").await;
        };
        // The same signal goes on at most once a second per connection (a change of state goes
        // at once), and no more than three signals in a second; the rest is dropped quietly.
        // Leaving always goes.
        let now = Instant::now();
        let (last, window, count) = self.last_presence;
        let window_open = window.is_some_and(|w| now.duration_since(w) < PRESENCE_EVERY);
        let repeated =
            last.is_some_and(|(s, at)| s == state && now.duration_since(at) < PRESENCE_EVERY);
        if state != PresenceState::Left && (repeated || (window_open && count >= 3)) {
            return Ok(());
        }
        self.last_presence = match window_open {
            true => (Some((state, now)), window, count + 1),
            false => (Some((state, now)), Some(now), 1),
        };
        let conversation = match self.state.store.conversation(id).await {
            Ok(Some(c)) => c,
            Ok(None) => return self.refuse("not-found").await,
            Err(e) => return self.internal(e.into()).await,
        };
        let holder = conversation.handler;
        if !matches!(&self.scope, ChatScope::Staff { read, .. } if read.contains(&holder)) {
            return self.refuse("forbidden").await;
        }
        let frame = serde_json::json!({
            "type": "presence", "account": holder.0, "conversation": id.0,
            "staff": staff, "name": name, "state": state,
        });
        self.state.chat.hub().signal(holder, &std::sync::Arc::from(frame.to_string()));
        Ok(())
    }

    async fn read(&mut self, id: ConversationId, seq: i64) -> Flow {
        let conversation = match self.state.store.conversation(id).await {
            Ok(Some(c)) => c,
            Ok(None) => return self.refuse("not-found").await,
            Err(e) => return self.internal(e.into()).await,
        };
        let side = match &self.scope {
            ChatScope::Citizen(me) if conversation.citizen == *me => Side::Citizen,
            ChatScope::Staff { reply, .. } if reply.contains(&conversation.handler) => {
                Side::Account
            }
            _ => return self.refuse("forbidden").await,
        };
        let write = ChatWrite::Read { conversation: id, side, seq, at: Timestamp::now() };
        match self.state.chat.write(write).await {
            Ok(_) => Ok(()),
            Err(e) => self.internal(e).await,
        }
    }

    async fn refuse(&mut self, code: &str) -> Flow {
        self.send(serde_json::json!({ "type": "error", "code": code }).to_string()).await
    }

    async fn internal(&mut self, e: ApiError) -> Flow {
        tracing::error!(error = ?e, "websocket request failed");
        Err(Ending::new(CLOSE_TRY_AGAIN, "server error: reconnect and resume"))
    }

    async fn resume(
        &mut self,
        conversations: HashMap<String, i64>,
        accounts: HashMap<String, i64>,
    ) -> Flow {
        if conversations.len() + accounts.len() > 1000 {
            return Err(Ending::new(CLOSE_POLICY, "resume names too many streams"));
        }
        let ids = |map: HashMap<String, i64>| -> Flow<Vec<(i64, i64)>> {
            map.into_iter()
                .map(|(k, v)| k.parse().map(|k| (k, v)))
                .collect::<Result<_, _>>()
                .map_err(|_| Ending::new(CLOSE_INVALID, "malformed frame: ids must be numbers"))
        };
        let (conversations, accounts) = (ids(conversations)?, ids(accounts)?);
        match self.scope.clone() {
            ChatScope::Citizen(me) => {
                for (id, seq) in conversations {
                    self.resume_conversation(me, ConversationId(id), seq.max(0)).await?;
                }
            }
            ChatScope::Staff { read, .. } => {
                let readable: HashSet<AccountId> = read.into_iter().collect();
                for (id, seq) in accounts {
                    if readable.contains(&AccountId(id)) {
                        self.resume_account(AccountId(id), seq.max(0)).await?;
                    } else {
                        self.refuse("forbidden").await?;
                    }
                }
            }
        }
        self.send(r#"{"type":"resumed"}"#.to_owned()).await
    }

    /// Sends a citizen every message after `seq` in one of their conversations, then its state.
    async fn resume_conversation(&mut self, me: CitizenId, id: ConversationId, seq: i64) -> Flow {
        let store = self.state.store.clone();
        let conversation = match store.conversation(id).await {
            Ok(Some(c)) if c.citizen == me => c,
            Ok(_) => return self.refuse("not-found").await,
            Err(e) => return self.internal(e.into()).await,
        };
        self.cursors.conversations.insert(id, seq);
        self.catch_up_conversation(id, conversation.last_seq).await?;
        let frame = crate::features::chat::views::citizen_frame(&conversation, None);
        self.send(frame).await
    }

    /// Sends the messages of a conversation from the cursor up to `until`.
    async fn catch_up_conversation(&mut self, id: ConversationId, until: i64) -> Flow {
        let store = self.state.store.clone();
        loop {
            let from = self.cursors.conversations.get(&id).copied().unwrap_or(0);
            if from >= until {
                return Ok(());
            }
            let page = match store
                .messages(id, MessageRange::After { seq: from, limit: BACKFILL_PAGE })
                .await
            {
                Ok(p) => p,
                Err(e) => return self.internal(e.into()).await,
            };
            let conversation = match store.conversation(id).await {
                Ok(Some(c)) => c,
                Ok(None) => return Ok(()),
                Err(e) => return self.internal(e.into()).await,
            };
            if page.is_empty() {
                return Ok(());
            }
            for message in page {
                let frame =
                    match self.state.chat.citizen_message_frame(&conversation, &message).await {
                        Ok(f) => f,
                        Err(e) => return self.internal(e).await,
                    };
                self.send(frame).await?;
                self.cursors.conversations.insert(id, message.seq);
            }
        }
    }

    /// Sends an officer every inbox event of an account after `seq`, or `reset` when events
    /// that old are no longer kept.
    async fn resume_account(&mut self, account: AccountId, seq: i64) -> Flow {
        let (last, oldest) = match self.state.store.inbox_bounds(account).await {
            Ok(b) => b,
            Err(e) => return self.internal(e.into()).await,
        };
        if seq + 1 < oldest && seq < last {
            self.cursors.accounts.insert(account, last);
            let frame = serde_json::json!({ "type": "reset", "account": account.0, "seq": last });
            return self.send(frame.to_string()).await;
        }
        self.cursors.accounts.insert(account, seq.min(last));
        self.catch_up_account(account, last).await
    }

    /// Sends an account's inbox events from the cursor up to `until`.
    async fn catch_up_account(&mut self, account: AccountId, until: i64) -> Flow {
        let store = self.state.store.clone();
        loop {
            let from = self.cursors.accounts.get(&account).copied().unwrap_or(0);
            if from >= until {
                return Ok(());
            }
            let items = match store.inbox_events_after(account, from, BACKFILL_PAGE).await {
                Ok(items) => items,
                Err(e) => return self.internal(e.into()).await,
            };
            if items.is_empty() {
                return Ok(());
            }
            for item in items {
                let frame = match self.state.chat.staff_frame(&item).await {
                    Ok(f) => f,
                    Err(e) => return self.internal(e).await,
                };
                self.send(frame).await?;
                self.cursors.accounts.insert(account, item.event.seq);
            }
        }
    }

    /// Delivers a live event exactly once and in order: older than the cursor is dropped, a
    /// gap is filled from storage first.
    async fn deliver(&mut self, event: &HubEvent) -> Flow {
        match &self.scope {
            ChatScope::Citizen(_) => {
                let Some(frame) = &event.citizen_frame else { return Ok(()) };
                let Some(seq) = event.message_seq else {
                    return self.send(frame.clone()).await;
                };
                match self.cursors.conversations.get(&event.conversation).copied() {
                    Some(cursor) if seq <= cursor => Ok(()),
                    Some(cursor) if seq > cursor + 1 => {
                        self.catch_up_conversation(event.conversation, seq).await
                    }
                    _ => {
                        self.send(frame.clone()).await?;
                        self.cursors.conversations.insert(event.conversation, seq);
                        Ok(())
                    }
                }
            }
            ChatScope::Staff { .. } => {
                let seq = event.inbox_seq;
                match self.cursors.accounts.get(&event.account).copied() {
                    Some(cursor) if seq <= cursor => Ok(()),
                    Some(cursor) if seq > cursor + 1 => {
                        self.catch_up_account(event.account, seq).await
                    }
                    _ => {
                        self.send(event.staff_frame.clone()).await?;
                        self.cursors.accounts.insert(event.account, seq);
                        Ok(())
                    }
                }
            }
        }
    }
}

impl ChatScope {
    fn topics(&self) -> Vec<Topic> {
        match self {
            Self::Citizen(id) => vec![Topic::Citizen(*id)],
            Self::Staff { read, me, .. } => {
                read.iter().map(|a| Topic::Account(*a)).chain(me.map(Topic::Staff)).collect()
            }
        }
    }
}
