//! Fan-out of conversation events to every open connection that should see them.
//!
//! Everything above [`Hub`] speaks only of topics and events, never of connections in this
//! process: [`LocalHub`] serves one node; a broker-backed hub (NATS) implements the same trait for
//! several. Events carry their frames already encoded, so a message going to five officers and
//! two devices is serialised once, not seven times.
//!
//! Besides conversation events, a hub carries notices: one frame for some citizens' live
//! connections on this node (a broadcast reaching the followers connected right now). Notices
//! are not replayed: what a citizen missed, they read from their feed.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use ketnoi_core::{AccountId, CitizenId, ConversationId};
use tokio::sync::mpsc;

/// Who listens to what: a citizen's devices listen to the citizen; officers' screens listen to
/// the accounts whose inboxes they may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Topic {
    /// Everything in one citizen's conversations.
    Citizen(CitizenId),
    /// Everything in one account's inbox.
    Account(AccountId),
    /// What is meant for one staff member alone, on every screen they have open.
    Staff(ketnoi_core::StaffId),
}

/// One event, as it travels from the node that committed it to every node with listeners.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HubEvent {
    /// The account whose inbox it belongs to.
    pub account: AccountId,
    /// The citizen of the conversation.
    pub citizen: CitizenId,
    /// The conversation.
    pub conversation: ConversationId,
    /// Its number in the account's inbox.
    pub inbox_seq: i64,
    /// For messages, the message's number in the conversation.
    pub message_seq: Option<i64>,
    /// The frame officers' screens receive.
    pub staff_frame: String,
    /// The frame the citizen's devices receive, if the event concerns them.
    pub citizen_frame: Option<String>,
}

impl HubEvent {
    /// The topics the event goes to.
    pub fn topics(&self) -> [Topic; 2] {
        [Topic::Account(self.account), Topic::Citizen(self.citizen)]
    }
}

/// What a subscription receives.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An event of a conversation or inbox, in order, resumable.
    Event(Arc<HubEvent>),
    /// A frame as it is (a broadcast for citizens, an officer's presence for officers): shown if
    /// the connection is open, never replayed.
    Notice(Arc<str>),
}

/// Fans events out to subscribers.
pub trait Hub: Send + Sync {
    /// Sends an event to every subscriber of its topics, wherever they are connected. Never
    /// waits: a subscriber that cannot keep up is dropped (its connection closes and the client
    /// resumes from what it saw).
    fn publish(&self, event: Arc<HubEvent>);
    /// Listens to some topics until the subscription is dropped.
    fn subscribe(&self, topics: &[Topic]) -> Subscription;
    /// The citizens with a live connection to this node.
    fn connected_citizens(&self) -> Vec<CitizenId>;
    /// Sends a notice to a citizen's live connections on this node, without waiting; whether
    /// at least one of them took it.
    fn notify(&self, citizen: CitizenId, frame: &Arc<str>) -> bool;
    /// Sends a passing signal (an officer viewing or typing in a conversation) to the live
    /// connections of an account's officers on this node, without waiting; never replayed.
    fn signal(&self, account: AccountId, frame: &Arc<str>) -> bool;
    /// Tells one staff member's live connections on this node something as it is (a new tip
    /// for a unit whose key they hold), without waiting; never replayed.
    fn tell(&self, staff: ketnoi_core::StaffId, frame: &Arc<str>) -> bool;
}

/// A live subscription. Deliveries arrive in publication order; the stream ends when the
/// subscriber fell too far behind.
pub struct Subscription {
    /// The deliveries.
    pub events: mpsc::Receiver<Delivery>,
    _cancel: Box<dyn Send + Sync>,
}

impl Subscription {
    /// A subscription whose `cancel` runs when it is dropped.
    pub fn new(events: mpsc::Receiver<Delivery>, cancel: impl Send + Sync + 'static) -> Self {
        Self { events, _cancel: Box::new(cancel) }
    }
}

/// How many events may wait for one connection before it is judged too slow.
pub const SUBSCRIBER_BUFFER: usize = 256;

type Subscribers = HashMap<Topic, Vec<(u64, mpsc::Sender<Delivery>)>>;

/// The hub of a single node: subscribers in a map, fan-out by `try_send`.
#[derive(Default)]
pub struct LocalHub {
    subscribers: Arc<Mutex<Subscribers>>,
    next_id: AtomicU64,
}

impl LocalHub {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many subscriptions are open (for metrics and tests).
    pub fn subscriber_count(&self) -> usize {
        let subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.values().map(Vec::len).sum()
    }
}

struct Unsubscribe {
    subscribers: Arc<Mutex<Subscribers>>,
    topics: Vec<Topic>,
    id: u64,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        for topic in &self.topics {
            if let Some(list) = subs.get_mut(topic) {
                list.retain(|(id, _)| *id != self.id);
                if list.is_empty() {
                    subs.remove(topic);
                }
            }
        }
    }
}

impl LocalHub {
    /// Gives a frame to a topic's subscribers as it is; whether one of them took it.
    fn notice(&self, topic: Topic, frame: &Arc<str>) -> bool {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        let Some(list) = subs.get_mut(&topic) else { return false };
        let before = list.len();
        // As with events, a connection too far behind is dropped and will resume.
        list.retain(|(_, tx)| tx.try_send(Delivery::Notice(frame.clone())).is_ok());
        let delivered = !list.is_empty();
        if list.is_empty() && before > 0 {
            subs.remove(&topic);
        }
        delivered
    }
}

impl Hub for LocalHub {
    fn publish(&self, event: Arc<HubEvent>) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        for topic in event.topics() {
            if let Some(list) = subs.get_mut(&topic) {
                // A full or closed channel drops the subscriber: its receiver then ends, and
                // the connection closes asking the client to resume.
                list.retain(|(_, tx)| tx.try_send(Delivery::Event(event.clone())).is_ok());
            }
        }
    }

    fn connected_citizens(&self) -> Vec<CitizenId> {
        let subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.keys()
            .filter_map(|t| match t {
                Topic::Citizen(c) => Some(*c),
                Topic::Account(_) | Topic::Staff(_) => None,
            })
            .collect()
    }

    fn notify(&self, citizen: CitizenId, frame: &Arc<str>) -> bool {
        self.notice(Topic::Citizen(citizen), frame)
    }

    fn signal(&self, account: AccountId, frame: &Arc<str>) -> bool {
        self.notice(Topic::Account(account), frame)
    }

    fn tell(&self, staff: ketnoi_core::StaffId, frame: &Arc<str>) -> bool {
        self.notice(Topic::Staff(staff), frame)
    }

    fn subscribe(&self, topics: &[Topic]) -> Subscription {
        let (tx, rx) = mpsc::channel(SUBSCRIBER_BUFFER);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        for topic in topics {
            subs.entry(*topic).or_default().push((id, tx.clone()));
        }
        drop(subs);
        let cancel =
            Unsubscribe { subscribers: self.subscribers.clone(), topics: topics.to_vec(), id };
        Subscription::new(rx, cancel)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(account: i64, citizen: i64, seq: i64) -> Arc<HubEvent> {
        Arc::new(HubEvent {
            account: AccountId(account),
            citizen: CitizenId(citizen),
            conversation: ConversationId(1),
            inbox_seq: seq,
            message_seq: Some(seq),
            staff_frame: format!("s{seq}"),
            citizen_frame: None,
        })
    }

    #[tokio::test]
    async fn events_reach_the_topics_they_name_in_order() {
        let hub = LocalHub::new();
        let mut officer = hub.subscribe(&[Topic::Account(AccountId(1))]);
        let mut citizen = hub.subscribe(&[Topic::Citizen(CitizenId(7))]);
        let mut stranger =
            hub.subscribe(&[Topic::Account(AccountId(2)), Topic::Citizen(CitizenId(8))]);
        hub.publish(event(1, 7, 1));
        hub.publish(event(1, 7, 2));
        assert_eq!(seq(officer.events.recv().await), 1);
        assert_eq!(seq(officer.events.recv().await), 2);
        assert_eq!(seq(citizen.events.recv().await), 1);
        assert!(stranger.events.try_recv().is_err());
    }

    fn seq(delivery: Option<Delivery>) -> i64 {
        match delivery {
            Some(Delivery::Event(e)) => e.inbox_seq,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_notice_reaches_only_that_citizens_connections_on_this_node() {
        let hub = LocalHub::new();
        let mut phone = hub.subscribe(&[Topic::Citizen(CitizenId(7))]);
        let mut laptop = hub.subscribe(&[Topic::Citizen(CitizenId(7))]);
        let mut officer = hub.subscribe(&[Topic::Account(AccountId(1))]);
        let mut other = hub.subscribe(&[Topic::Citizen(CitizenId(8))]);
        let mut connected = hub.connected_citizens();
        connected.sort();
        assert_eq!(connected, vec![CitizenId(7), CitizenId(8)]);
        let frame: Arc<str> = Arc::from("{}");
        assert!(hub.notify(CitizenId(7), &frame));
        assert!(!hub.notify(CitizenId(9), &frame), "nobody connected");
        for device in [&mut phone, &mut laptop] {
            assert!(matches!(device.events.recv().await, Some(Delivery::Notice(f)) if &*f == "{}"));
        }
        assert!(officer.events.try_recv().is_err() && other.events.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_dropped_and_others_are_not() {
        let hub = LocalHub::new();
        let mut slow = hub.subscribe(&[Topic::Account(AccountId(1))]);
        let mut fast = hub.subscribe(&[Topic::Account(AccountId(1))]);
        for seq in 1..=(SUBSCRIBER_BUFFER as i64 + 1) {
            hub.publish(event(1, 7, seq));
            assert_eq!(self::seq(fast.events.recv().await), seq);
        }
        let mut got = 0;
        while slow.events.recv().await.is_some() {
            got += 1;
        }
        assert_eq!(got, SUBSCRIBER_BUFFER, "the slow stream ends after what fitted");
        assert_eq!(hub.subscriber_count(), 1);
    }

    #[tokio::test]
    async fn dropping_a_subscription_unsubscribes() {
        let hub = LocalHub::new();
        let sub = hub.subscribe(&[Topic::Account(AccountId(1)), Topic::Citizen(CitizenId(3))]);
        assert_eq!(hub.subscriber_count(), 2);
        drop(sub);
        assert_eq!(hub.subscriber_count(), 0);
    }
}
