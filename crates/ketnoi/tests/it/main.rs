//! Integration tests: the real server on port 0 over HTTP, and the real binary in a temp folder.

mod helpers;

mod api_auth;
mod api_bad_input;
mod api_directory;
mod api_policy;
mod assign;
mod bot;
mod browser;
mod browser_bot;
mod browser_chat;
mod browser_desk;
mod browser_flows;
mod browser_inbox;
mod browser_lookup;
mod browser_news;
mod browser_seal;
mod browser_tip_keys;
mod browser_tips;
mod canned;
mod chat;
mod cli;
mod desk;
mod labels;
mod lookup;
mod news;
mod notes;
mod pages;
mod pages_bot;
mod pages_bot_learn;
mod pages_lookup;
mod postgres;
mod push;
mod rating;
mod tips;
mod transfer;
