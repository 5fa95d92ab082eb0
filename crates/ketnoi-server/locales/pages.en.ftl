# Page text (English). Every key must also be in pages.vi.ftl.

site-name = ketnoi
site-tagline = Connecting citizens with government
skip-link = Skip to main content
nav-home = Home
nav-directory = Account directory
nav-my-accounts = Accounts I follow
nav-sign-in = Sign in
nav-sign-out = Sign out
nav-staff = For staff
nav-console = Console
lang-switch = Tiếng Việt
footer-text = ketnoi is open-source software. Data is kept where the agency decides.
footer-api = API documentation

error-summary-title = There is a problem
error-prefix = Error:
field-error-prefix = Error:

home-title = Find a government office to ask, follow and hear from
home-lead = Find the official accounts of the police, people's committees, youth unions and other offices where you live. You can type without diacritics.
home-search-label = Find an official account
home-search-hint = For example: công an Vị Xuyên, ubnd xa vi xuyen
home-search-button = Search
home-verified-title = Verified accounts
home-signed-in-as = You are signed in with { $phone }.

directory-title = Directory of official accounts
directory-search-label = Name of the office or account
directory-province-label = Province or city
directory-commune-label = Commune or ward
directory-any-province = All provinces and cities
directory-any-commune = The whole province or city
directory-kind-label = Kind of account
directory-any-kind = All kinds
directory-submit = Search
directory-results = { $count ->
    [0] No accounts found.
    [one] Showing 1 account.
   *[other] Showing { $count } accounts.
}
directory-no-results-hint = Try fewer words, remove the area filter, or check the spelling.
directory-previous = Previous page
directory-next = Next page
directory-choose-province-first = Choose a province or city, then press “Search” to choose a commune or ward.

kind-police = Police
kind-e-government = E-government
kind-youth = Youth union
kind-public-service = Public service
kind-other = Other

verified-badge = Verified
verified-explainer = The platform has confirmed that this account belongs to the office named.
unverified-note = This account is not verified.

account-about = About
account-contact = Contact
account-phone = Phone
account-address = Address
account-hours = Office hours
account-area = Area
account-agency = Office
account-followers = { $count ->
    [0] No followers yet
    [one] 1 follower
   *[other] { $count } followers
}
account-since = On ketnoi since { $date }
account-follow = Follow
account-unfollow = Unfollow
account-following = You follow this account.
account-sign-in-to-follow = Sign in to follow
account-followed = You now follow { $name }.
account-unfollowed = You no longer follow { $name }.

sign-in-title = Sign in with your phone number
sign-in-lead = We will send a 6-digit code to your phone. The code works for 5 minutes.
sign-in-phone-label = Mobile phone number
sign-in-phone-hint = For example: 0912 345 678
sign-in-send-code = Send code
code-title = Enter your code
code-lead = We sent a code to { $phone }.
code-label = 6-digit code
code-submit = Sign in
code-resend = Did not get a code? Send another
code-demo = Demo mode: your code is { $code }. On a real system the code only comes by text message.
code-no-pending = Enter your phone number first to get a code.

my-accounts-title = Accounts I follow
my-accounts-empty = You do not follow any accounts yet.
my-accounts-find = Find accounts to follow

staff-sign-in-title = Staff sign-in
staff-username-label = Username
staff-password-label = Password
staff-sign-in-submit = Sign in

console-title = Console
console-welcome = Hello, { $name }.
console-agencies = Offices you manage
console-accounts = Official accounts
console-none = You have no role on any office yet. Contact your administrator.
console-role-platform-admin = Platform administrator
console-role-administrator = Administrator
console-role-officer = Officer
console-role-viewer = Viewer
console-inbox = Inbox
console-bot = Automatic answers
console-lookups = Lookups
console-tips = Tips
console-open-page = View public page

not-found-title = Page not found
not-found-lead = The address may be mistyped, or the page may have moved.
forbidden-title = You cannot see this page
error-title = Something went wrong
error-lead = Something went wrong on our side. It has been logged and will be fixed. Please try again later.
back-home = Go to the home page

# Conversations
nav-conversations = Messages
account-message = Send a message
account-sign-in-to-message = Sign in to send a message
chat-citizen-subtitle = Your messages are stored safely and read only by the officers who handle this account.
chat-back-account = ← Account page
chat-back-inbox = ← Inbox
chat-back-console = ← Console
chat-history = Messages
chat-older = Show older messages
chat-empty = No messages yet. Write your question below.
chat-you = You
chat-bot = Automatic assistant
chat-image = Attached picture
chat-message-label = Message
chat-file-label = Picture or file (optional)
chat-file-hint = { $count ->
    [one] JPEG, PNG, WebP pictures; PDF; Word, Excel, PowerPoint. Up to { $count } MB. The location (GPS) in a photo is removed before it is stored.
   *[other] JPEG, PNG, WebP pictures; PDF; Word, Excel, PowerPoint. Up to { $count } MB. The location (GPS) in a photo is removed before it is stored.
}
chat-send = Send
chat-sending = Sending…
chat-sent = Sent
chat-seen = Seen
chat-failed = Not sent.
chat-retry = Try again
chat-reconnecting = Connection lost, reconnecting…
chat-read-only = You may only read this conversation.
chat-close = Close conversation
chat-reopen = Reopen conversation
chat-closed-note = This conversation is closed. It reopens by itself if the citizen writes again.
chat-closed-badge = Closed
chat-unread = { $count ->
    [one] { $count } unread
   *[other] { $count } unread
}
conversations-title = My messages
conversations-empty = You have not written to any account yet.
inbox-title = Inbox
inbox-open = Open
inbox-needs-person = Needs an officer
inbox-bot-tab = Handled by the bot
inbox-closed = Closed
inbox-search-label = Search the inbox
inbox-search-hint = Message text (with or without diacritics) or the masked phone number, e.g. 091 or 678.
inbox-empty = No conversations.

# The bot's console pages
bot-title = Automatic answers
bot-overview = Overview
bot-back = ← Automatic answers
bot-back-intents = ← The bot's questions
bot-figures = Figures
bot-intent-count = Questions in the knowledge base
bot-threshold = Hand-off threshold
bot-threshold-hint = The bot answers by itself only when a question scores at or above the threshold; below it, the question goes to an officer. The threshold is recalculated whenever the knowledge base changes.
bot-held-out = Tested on held-out examples
bot-held-out-figures = { $accuracy } answered correctly
bot-held-out-answered = { $answered } answered by the bot
bot-out-of-scope = Out-of-scope questions
bot-out-of-scope-figures = { $rejected } passed to officers
bot-questions = { $count ->
    [one] { $count } question
   *[other] { $count } questions
}
bot-stats-caption = The last 7 days
bot-stats-day = Day
bot-stats-answered = Answered
bot-stats-handed-off = Handed off
bot-stats-helpful = Helpful
bot-stats-unhelpful = Not helpful
bot-settings = Settings
bot-enabled-label = Answer automatically
bot-welcome-hint = Sent to citizens when they start following the account. Leave empty to send nothing.
bot-away-hint = Added when the bot passes a question to officers outside office hours. Leave empty for the default text.
bot-save = Save
bot-try = Try a question
bot-try-label = Question
bot-try-hint = Type it as a citizen would, with or without diacritics. Nothing you try is stored.
bot-try-submit = Ask
bot-try-rule = Answered by the keyword “{ $keyword }”:
bot-try-answer = The bot answers with: { $intent }
bot-try-score = Score: { $score }
bot-try-threshold = threshold: { $threshold }
bot-try-handoff = The bot would pass this question to an officer.
bot-try-reason-unsure = It is not sure enough.
bot-try-reason-unknown = It recognises no word of the question.
bot-try-reason-empty = The question is empty.
bot-try-suggestions = The suggestions offered to the citizen:
bot-try-empty-kb = The knowledge base is empty, so the bot cannot answer yet. Import one below.
bot-handoffs = Questions passed to officers
bot-handoffs-hint = Pick the right question and press “Add as an example” so the bot answers questions like it next time.
bot-handoffs-empty = No questions left to review.
bot-open-conversation = Open the conversation
bot-handoff-intent-label = The right question
bot-handoff-add = Add as an example
bot-handoff-dismiss = Dismiss
bot-answered = Questions officers have answered
bot-answered-hint = Officers have answered these questions. Attach each to the bot's right question (the one the bot finds closest is chosen already), or make a new question with the officer's answer. The knowledge base changes only when an officer presses a button.
bot-answered-empty = No question has been answered by an officer yet.
bot-waiting = Questions waiting for an officer
bot-officer-reply = The officer answered:
bot-ranked-first = The bot's first choice: { $intent }
bot-new-intent = Make a new question of it
bot-new-intent-hint = The citizen's words become a new question, answered with the officer's reply (which you can edit).
bot-new-intent-create = Make the new question
bot-unanswered-title = Unanswered questions
bot-unanswered-link = See the questions the bot could not answer, similar ones grouped
bot-unanswered-hint = Questions the bot passed to officers that nobody has dealt with yet. Similar ones (with or without diacritics, small typos) are grouped, the biggest group first: write questions or examples for the top groups first.
bot-unanswered-empty = No unanswered questions in this period.
bot-unanswered-total = { $count ->
    [one] { $count } question
   *[other] { $count } questions
} the bot could not answer in the last { $days } days.
bot-unanswered-act = Deal with each question on the overview
bot-rules = Keyword answers
bot-rules-hint = When a message is or contains the keyword (ignoring diacritics and case), the bot sends the set answer at once, before anything else.
bot-rules-empty = No keywords yet.
bot-rule-new = Add a keyword
bot-rule-matching-label = How it matches
bot-rule-contains = The message contains the keyword
bot-rule-exact = The message is exactly the keyword
bot-rule-add = Add the keyword
bot-rule-delete = Delete the keyword “{ $keyword }”
bot-kb = Knowledge base
bot-export = Download the knowledge base (.jsonl)
bot-default = Use ketnoi's sample questions
bot-default-hint = The sample knowledge base holds questions citizens often ask the police and commune offices. You can adapt it afterwards.
bot-import-label = Import a knowledge base file
bot-import-hint = A .jsonl file, one question per line. It replaces the whole knowledge base; if any line is wrong, nothing changes.
bot-import = Import the file
bot-import-empty = Choose a .jsonl file with at least one question.
bot-import-not-text = The file is not UTF-8 text. Save it as .jsonl (UTF-8).
bot-import-line-error = Line { $line }: { $message }. Nothing was imported.
bot-import-file-error = File: { $message }. Nothing was imported.
bot-intents-title = The bot's questions
bot-intents-count = { $count ->
    [0] The knowledge base is empty.
    [one] { $count } question.
   *[other] { $count } questions.
}
bot-examples-count = { $count ->
    [one] { $count } example
   *[other] { $count } examples
}
bot-intent-new = Add a question
bot-intent-create = Add the question
bot-intent-delete = Delete this question
bot-intent-delete-hint = The bot will no longer answer this question.
bot-field-id = Question id
bot-id-hint = Lowercase ASCII letters, digits, “.”, “_” or “-”, such as cu_tru.tam_tru. It cannot be changed later.
bot-field-topic = Topic
bot-topic-hint = Optional, for example: Residence.
bot-field-question = Question
bot-question-hint = The standard wording, shown on suggestion buttons.
bot-field-answer = Answer
bot-field-example = Example
bot-field-examples = Other ways people ask it
bot-examples-hint = One phrasing per line. The more ways of asking, the better the bot recognises it.
bot-field-keyword = Keyword
bot-field-welcome = Welcome for new followers
bot-field-away_message = Message outside office hours
bot-error-intent-id = A question id is 1–64 lowercase ASCII letters, digits, “.”, “_” or “-”.
bot-error-intent-exists = A question with this id already exists. Choose another id or edit that question.
bot-error-phrasing-taken = “{ $phrasing }” is already a way of asking question { $intent }: one question leads to one answer. Change it, or add it to { $intent } instead.
bot-error-no-intent = The chosen question is no longer in the knowledge base. Reload the page and choose again.
bot-error-handoff-gone = Another officer has already dealt with this question.
bot-error-kb-not-empty = The knowledge base is not empty, so the samples were not imported, to keep what is there.
bot-done-settings = Settings saved.
bot-done-example = Example added. The bot uses it from now on.
bot-done-handoff-intent = New question made. The bot uses it from now on.
bot-done-dismissed = Question dismissed.
bot-done-rule-added = Keyword added.
bot-done-rule-deleted = Keyword deleted.
bot-done-imported = Knowledge base imported.
bot-done-intent-created = Question added.
bot-done-intent-saved = Question saved.
bot-done-intent-deleted = Question deleted.

# Lookups
lookup-account-heading = Online lookups
lookup-list-title = Lookups
lookup-list-empty = This account has no lookups yet.
lookup-records = { $count ->
    [one] { $count } record
   *[other] { $count } records
}
lookup-updated = updated { $time }
lookup-find-title = Look up
lookup-find-lead = Enter the { $field } and press “Look up”.
lookup-find-lead-verify = To protect personal information, a result is shown only when you enter all of: { $fields }.
lookup-find-submit = Look up
lookup-date-hint = For example 15/03/2008. You can also type the 8 digits: 15032008.
lookup-search-title = Search
lookup-search-lead = Don't know the number? Search by name.
lookup-search-lead-verify = Don't know the { $field }? Search by name, then look it up above to see everything.
lookup-search-hint = Diacritics are optional, for example: nguyen van duc.
lookup-search-submit = Search
lookup-optional = Optional.
lookup-or = or
lookup-result-title = Result
lookup-hits-title = Search results
lookup-hits = { $count ->
    [0] Nobody matches. Try fewer words or check the spelling.
    [one] Found { $count } result.
   *[other] Found { $count } results.
}
lookup-hits-more = { $count ->
   *[other] Only the first { $count } results are shown. Type more words (the full name, for example) or add a condition to narrow them down.
}
lookup-enter = Please enter the { $field }.
lookup-too-long-field = The { $field } is too long. Please check it.
lookup-empty-search-field = Please enter something to search for.
lookup-page-no-match = No record matches the { $fields } you entered. Please check them and try again.
lookup-page-too-fast = { $count ->
    [one] You are looking up too fast. Please wait { $count } second and try again.
   *[other] You are looking up too fast. Please wait { $count } seconds and try again.
}
lookup-page-locked = { $count ->
    [one] This number was entered wrongly too many times and is locked for now. Please try again in about { $count } minute.
   *[other] This number was entered wrongly too many times and is locked for now. Please try again in about { $count } minutes.
}
lookup-private-note = What you enter does not appear in the page address and is not kept.
lookups-title = Lookup data
lookups-back = ← Lookup data
lookups-public-page = See the public lookup page
lookups-datasets = Datasets
lookups-datasets-empty = This account has no datasets yet. Import the first CSV file below.
lookups-versions = { $count ->
    [one] { $count } version
   *[other] { $count } versions
}
lookups-not-live = Not published
lookups-live-version = Version { $version } is published
lookups-scheduled-version = Version { $version } to be published at { $time }
lookups-import = Import a CSV file
lookups-import-hint = Each import makes a new version of a dataset. The file is checked line by line before it is stored: if anything is wrong you see every problem by line, and nothing changes.
lookups-import-submit = Check and import
lookups-field-file = CSV file
lookups-hint-file = A UTF-8 CSV file whose first line names the columns. At most 200 MB.
lookups-field-dataset = Dataset's address name
lookups-hint-dataset = Lowercase letters without diacritics, digits and hyphens, for example diem-thi-2026. If a dataset has this name already, the file becomes its new version.
lookups-field-title = Title
lookups-hint-title = What citizens see, for example: 2026 upper-secondary exam results. Leave empty to keep the current title.
lookups-field-key = Key column
lookups-hint-key = The column looked up exactly, for example so_bao_danh. Every line needs its own key, never repeated or empty.
lookups-field-verify = Verification columns
lookups-hint-verify = Columns citizens must also enter correctly, separated by commas, for example ngay_sinh. Leave empty if none.
lookups-field-search = Columns searched by name
lookups-hint-search = Columns found by words, with or without diacritics, separated by commas, for example ho_ten, que_quan.
lookups-field-filters = Filter columns
lookups-hint-filters = Columns that narrow a search down, separated by commas, for example nam_sinh.
lookups-field-command = Chat command
lookups-hint-command = Citizens send this command with a key to look it up in a conversation, for example: diem. Leave empty to keep the current command.
lookups-field-show = Shown columns and labels
lookups-hint-show = One column per line, as column=Label, for example toan=Toán. Leave empty to show every column under its name.
lookups-field-publication = Publication
lookups-publication-draft = Save as a draft, not published
lookups-publication-now = Publish now
lookups-publication-at = Publish at a set time
lookups-field-at = Publication time
lookups-hint-at = Vietnam time, for example 16/07/2026 08:00. Only used with a set time.
lookups-report-title = { $count ->
    [one] The file has { $count } problem. Nothing was stored or published.
   *[other] The file has { $count } problems. Nothing was stored or published.
}
lookups-preview = Preview
lookups-preview-line = Line
lookups-preview-upload = { $count ->
    [one] The file sent: header line and the first { $count } line
   *[other] The file sent: header line and the first { $count } lines
}
lookups-preview-version = Version { $version }: header line and the first lines
lookups-error-no-file = Choose the CSV file to import.
lookups-error-no-key = Enter the name of the key column.
lookups-error-title = { $count ->
   *[other] The title must not be empty, longer than { $count } characters or hold control characters.
}
lookups-error-command = { $count ->
   *[other] The command must be at most { $count } characters long.
}
lookups-error-limit = { $count ->
   *[other] Enter a whole number from 0 to { $count }, or leave it empty.
}
lookups-error-moment = This time cannot be read. Enter it like 16/07/2026 08:00.
lookups-error-past = This time has passed. Choose a time to come.
lookups-api = API address:
lookups-none = None
lookups-fact-slug = Address name
lookups-fact-live = Published
lookups-fact-scheduled = Scheduled
lookups-fact-key = Key column
lookups-fact-verify = Verification columns
lookups-fact-search = Columns searched by name
lookups-fact-filters = Filter columns
lookups-fact-command = Chat command
lookups-fact-limit = Limit per person
lookups-limit-default = { $count ->
   *[other] Default: { $count } lookups a minute
}
lookups-limit-off = No limit
lookups-limit-per-minute = { $count ->
    [one] { $count } lookup a minute
   *[other] { $count } lookups a minute
}
lookups-versions-title = Versions
lookups-versions-hint = Publishing a version shows it to citizens at once, in place of the one before. An earlier version can be restored at any time.
lookups-version = Version { $version }
lookups-state-live = Published
lookups-state-scheduled = Scheduled
lookups-state-previous = Published before
lookups-state-draft = Draft
lookups-imported-at = imported { $time }
lookups-scheduled-at = to be published { $time }
lookups-publish-now = Publish version { $version } now
lookups-restore = Restore version { $version }
lookups-cancel = Cancel the schedule of version { $version }
lookups-schedule = Schedule version { $version }
lookups-schedule-label = When to publish version { $version }
lookups-settings = Settings
lookups-setting-title = Title
lookups-setting-hint-title = What citizens see on the lookup page.
lookups-setting-command = Chat command
lookups-setting-hint-command = For example: diem. Leave empty for no lookups in chat.
lookups-setting-per_minute = Lookups a minute per person
lookups-setting-hint-per_minute = Leave empty for the server's default; 0 means no limit.
lookups-save = Save settings
lookups-done-imported = The file was imported as a new version.
lookups-done-settings = Settings saved.
lookups-done-publish = Version published. Citizens see it from now on.
lookups-done-schedule = Publication scheduled.
lookups-done-cancel = Publication schedule cancelled.

# Tips
console-tips-new = { $count } new tips in { $unit }
console-tips-none = No new tips in { $unit }
tip-form-title = Send a tip
tip-form-lead = Tips about crime and public security go to { $unit } and the police unit of the place where it happened.
tip-privacy-title = How what you send is protected
tip-privacy-browser = What you write is sealed (encrypted) on your device before it is sent: only the officers who hold the receiving unit's key can open it. The server and its operator cannot read it. Photos are redrawn on your device, so they lose their location (GPS) and device details.
tip-privacy-server = This browser cannot seal by itself (JavaScript is off, or the page is not served over HTTPS), so the server seals what you send as it arrives: it is held in memory only for that moment and never written or logged. JPEG, PNG and WebP photos lose their location data; videos and documents keep their own metadata.
tip-privacy-clear = To reach the right unit and to count tips, three things are not sealed: what it is about, the place, and when it happened.
tip-privacy-sealed = Sealed: the description, the exact place, the files and their names. An anonymous tip keeps no account, phone number or IP address.
tip-in-clear = not sealed
tip-sealed = sealed
tip-category = What it is about
tip-category-theft = Theft
tip-category-fraud = Fraud, online scams
tip-category-drugs = Drugs
tip-category-gambling = Gambling
tip-category-violence = Violence, assault
tip-category-traffic = Traffic
tip-category-public-order = Public order
tip-category-other = Something else
tip-area = Place
tip-area-hint = Where it happened: the tip goes to this place's police.
tip-occurred = When it happened
tip-occurred-hint = The day; the time if you know it.
tip-occurred-time = Time (optional)
tip-description = What happened
tip-description-hint = What happened, who was involved, vehicles, the scammer's account number…
tip-place = Exact place
tip-place-hint = House number, street, village… (optional).
tip-files = Photos, videos, documents
tip-files-hint = { $count ->
    [one] Up to 5 files of at most { $count } MB each.
   *[other] Up to 5 files of at most { $count } MB each.
}
tip-files-server = Photos lose their location data on the server; videos and documents keep their metadata.
tip-files-browser = Photos are redrawn on your device and lose their location data. Videos and documents are sealed as they are, metadata included.
tip-mode = Who is reporting
tip-mode-anonymous = Anonymous
tip-mode-anonymous-hint = Nobody knows who you are, the server included. You follow up with the receipt code.
tip-mode-identified = With my name
tip-mode-identified-hint = The unit sees your account's name and phone number to contact you.
tip-mode-identified-sign-in = To give your name, sign in first.
tip-receipt-warning-title = Write down the receipt code.
tip-receipt-warning = After sending, you get a receipt code. Only this code opens the tip's status and the unit's replies. If you lose it, nobody can recover it, not the unit and not the administrators.
tip-submit = Seal and send
tip-sealing = Sealing on your device…
tip-sending = Sending…
tip-done-title = Tip sent
tip-done-lead = Your receipt code (write it down now; it is shown only this once):
tip-sent-units = The tip was sealed and sent to: { $units }.
tip-sent-server-note = This tip was sealed on the server because the browser could not seal it.
tip-follow-link = Follow a tip with its code
tip-follow-have-code = Sent a tip? Follow it with its receipt code
tip-follow-title = Follow a tip
tip-follow-lead = Enter the receipt code you got when you sent the tip to see its status and the unit's replies.
tip-code = Receipt code
tip-code-hint = 16 characters, such as ABCD-EFGH-JKMN-PQRS; case does not matter.
tip-follow-submit = Show
tip-status-title = Status
tip-status-line = Status: { $status }
tip-from-unit = Unit
tip-from-you = You
tip-message-unreadable = (cannot be read)
tip-add-label = Add information
tip-add-submit = Send addition
tip-added = Your addition was sent.
tips-inbox-title = Tips
tips-keys-link = Tip keys
tips-no-unit-key = The unit has no tip key yet, so it cannot receive tips online.
tips-inbox-empty = No tips.
tips-received = Received
tips-status = Status
tips-older = Older tips
tip-view-title = Tip
tip-reporter = With name: { $who }
tips-needs-js = This page needs JavaScript: tips are opened on your device only; the server holds no key.
tips-passphrase = Key passphrase
tips-passphrase-hint = Your tip key passphrase (not your sign-in password). The key is opened on this device only.
tips-unlock = Open the tip
tips-unlocking = Unlocking…
tips-wrong-passphrase = The passphrase is wrong.
tips-no-copy = You have not been given the unit's key. Ask an officer who holds it to give you a copy.
tip-content-title = Content
tip-messages-title = Messages with the reporter
tip-reply-label = Reply to the reporter
tip-reply-hint = Sealed: only the holder of the receipt code can read it.
tip-reply-submit = Send reply
tips-export = Download the sealed tip (JSON)
tips-export-hint = To open offline with ketnoi tips decrypt.
tips-keys-title = Tip keys
tips-keys-lead = Tips are sealed to the unit's key. Each officer holds a copy of the unit key wrapped to their personal key, which is locked by a passphrase only they know. All key work happens in the browser.
tips-my-key = Your personal key
tips-my-key-yes = You have a personal key, key id { $kid }.
tips-my-key-no = You have no personal key yet.
tips-my-key-create = Create my personal key
tips-my-key-replace = Replace my personal key
tips-new-passphrase = New key passphrase
tips-new-passphrase-hint = At least 12 characters, not your sign-in password. If you forget it, a colleague must give you the unit key again.
tips-new-passphrase-again = The passphrase again
tips-passphrase-short = The passphrase must have at least 12 characters.
tips-passphrase-mismatch = The two entries differ.
tips-unit-key = Unit key
tips-unit-key-none = The unit has no key yet.
tips-key-current = in use
tips-key-retired = replaced (still opens older tips)
tips-create-unit-key = Create the unit key
tips-rotate = Replace the unit key
tips-rotate-hint = New tips use the new key; older tips still open with the old one. Replace the key after revoking an officer's copy.
tips-key-file = Download the unit key file
tips-key-file-hint = The file holds the unit's secret key, for ketnoi tips decrypt. Keep it as a classified document.
tips-officers = Officers who handle tips
tips-officer = Officer
tips-officer-state = Key
tips-officer-holds = holds the unit key
tips-officer-ready = has a personal key, not yet given the unit key
tips-officer-no-key = no personal key yet
tips-grant = Give key
tips-revoke = Revoke
tips-grant-passphrase = Your passphrase (to give a key)
tips-done = Done.
tips-settings = Settings
tips-copy-parent = Send a copy of each tip to the unit above
tips-save = Save
tips-settings-saved = Settings saved.
tip-from-reporter = Reporter
account-tip-heading = Report a crime
account-tip-lead = Send a tip about crime or public security. It is sealed on your device; you may send it anonymously and follow it with a code.
account-tip-button = Send a tip
chat-tip-note = Chat messages are not sealed. For a confidential or anonymous report, use the tip form:
tips-officer-former = no longer has a role in the unit, still holds key copies
tips-revoked-rotate = Revoked. That person may have kept an opened key: replace the unit key so that new tips cannot be opened with the old one.
tips-key-id = key id
tips-officers-hint = Before giving a colleague the key, compare their key id with them in person (it is on their own keys page): that way the server cannot swap keys.
tip-sealed-by-browser = This tip was sealed on the reporter's device.
tip-sealed-by-server = This tip was sealed on the server (the reporter's browser could not seal it); videos and documents may still carry their metadata.

# News, broadcasts, emergency alerts (issue 15)
nav-feed = News feed
console-news = News
console-broadcasts = Send a broadcast
account-news = News from this account
account-news-all = All news
news-list-title = News – { $account }
news-back-to-account = ← Back to the account
news-none = No news yet.
news-older = Older news
news-atom = Follow in a feed reader (Atom)
news-broadcast = Broadcast
news-open = Open the broadcast
news-public-page = Public news page
news-console-title = News
news-new = Write an article
news-field-title = Title
news-field-summary = Summary
news-hint-summary = A sentence or two shown on cards and when the link is shared. Left empty, the start of the article is used.
news-field-body = Body
news-hint-body = Written in Markdown: # heading, **bold**, *italic*, - list, [text](https://address). HTML and scripts are removed.
news-field-cover = Cover picture
news-hint-cover = JPEG, PNG or WebP, up to 5 MB. The location (GPS) and camera details are removed before it is stored.
news-current-cover = Current cover picture
news-field-state = State
news-field-publish-at = Publication time
news-hint-publish-at = Only for "Scheduled". Vietnam time.
news-preview = Preview
news-preview-title = Preview
news-save = Save
news-view = View
news-when = Time
news-actions = Actions
news-editor-title = Write an article
news-done-saved = The article was saved.
article-state-draft = Draft
article-state-scheduled = Scheduled
article-state-published = Published
article-state-withdrawn = Withdrawn
article-published = Published { $when }
article-edit = Edit the article
article-withdrawn-title = This article was withdrawn
article-withdrawn-lead = The agency took this article down. Other news is on the account's page.
broadcast-title = Broadcast
broadcast-console-title = Send a broadcast
broadcast-quota-note = { $count } of { $limit } broadcasts this week (from Monday). Emergency alerts are not counted.
broadcast-field-text = Text
broadcast-field-article = With an article card (optional)
broadcast-field-buttons = Buttons (optional)
broadcast-hint-buttons = Each button has the words shown on it and an https:// address or a path on this site starting with /.
broadcast-field-button-label = Button words
broadcast-field-button-url = Button address
broadcast-field-areas = To followers in these areas
broadcast-hint-areas = Choose nothing to reach every follower. Choose one or more areas (hold Ctrl for several): followers whose chosen ward lies in them receive it.
broadcast-field-tags = To followers with these tags
broadcast-hint-tags = Tags separated by commas. With both areas and tags, a follower must match both. Tags in use:
broadcast-field-send-at = Send at
broadcast-hint-send-at = Empty to send now. Vietnam time. It can be cancelled until then.
broadcast-emergency = Emergency alert
broadcast-emergency-check = Send as an emergency alert: shown above everything, not counted in the allowance, published in CAP 1.2
broadcast-field-event = Event (for example: Flash flood)
broadcast-field-expires = Expires at
broadcast-count-button = Count recipients
broadcast-count = This broadcast will reach { $count } followers.
broadcast-send = Send the broadcast
broadcast-sent-title = Broadcasts sent
broadcast-none = No broadcasts yet.
broadcast-cancel = Cancel
broadcast-audience-all = Every follower
broadcast-state-scheduled = Scheduled
broadcast-state-sent = Sent
broadcast-state-cancelled = Cancelled
broadcast-stats = Audience { $audience } · { $delivered } received it live · { $opened } opened it
broadcast-done-sent = The broadcast was sent.
broadcast-done-scheduled = The broadcast was scheduled.
broadcast-done-cancelled = The broadcast was cancelled.
feed-title = News feed
feed-area = You receive broadcasts for: { $area }.
feed-no-area = You have not chosen the ward you live in, so broadcasts sent to particular areas do not reach you.
feed-change-area = Choose your area
feed-empty = Nothing yet from the accounts you follow.
area-title = Where you live
area-lead = Choose the ward or commune you live in to receive the broadcasts and alerts agencies send to it. It is used only to choose who receives broadcasts.
area-current = Current area
area-show-wards = Show the wards
area-ward-label = Ward or commune
area-save = Save
area-clear = Clear my area
area-saved = Your area was saved.
area-choose-ward = Choose a ward or commune.
alert-label = Emergency alert
alert-cap = The alert in CAP 1.2 (XML)
alerts-title = Emergency alerts
alerts-lead = Emergency alerts sent by state agencies in the last 30 days. Other warning systems can take them from the Atom feed and the CAP 1.2 documents.
alerts-none = No alerts in the last 30 days.
alerts-atom = Alert feed (Atom, with CAP documents)
push-turn-on = Turn on notifications on this device
push-turn-off = Turn off notifications on this device
push-on = On: you will be notified even when the page is closed.
push-off = Notifications are off on this device.
push-denied = The browser blocks notifications from this site. Allow them in the site settings.
push-failed = Notifications could not be turned on. Please try again.
push-reply-title = You have a new reply
push-reply-body = The unit replied to your tip. Open the tip follow-up page and enter your receipt code to read it.
chat-notices = Broadcasts from this account
chat-follower-tags = This follower's tags
chat-follower-tags-hint = Tags separated by commas, for example: household business, ID card. They choose who a broadcast reaches; citizens never see them.
chat-follower-tags-save = Save the tags
chat-notes-title = Internal notes
chat-notes-hint = Only the staff handling this conversation see these notes. The citizen never does.
chat-notes-empty = No internal notes yet.
chat-notes-label = New note
chat-notes-label-hint = Up to 2,000 characters. Notes are kept with your name and cannot be deleted.
chat-notes-add = Save the note
chat-notes-added = The internal note was saved.
chat-notes-error-length = A note must be between { $min } and { $max } characters long.
chat-notes-error-control = The note contains a control character, which is not allowed.

inbox-mine = Assigned to me
inbox-unassigned = Unassigned
inbox-assigned-to = Assigned to:
inbox-duty-legend = Your status
inbox-duty-on = On duty
inbox-duty-away = Away
inbox-duty-save = Save status
inbox-duty-saved = Your duty status was saved.
chat-assign-title = Assignee
chat-assign-current = Assigned to:
chat-assign-nobody = This conversation is not assigned to anyone. Every officer of the account can still read and answer it.
chat-assign-label = Assign to
chat-assign-none = (unassigned)
chat-assign-me = Me
chat-assign-away = away
chat-assign-submit = Assign
chat-assign-saved = The assignee was updated.
chat-transfer-title = Hand over
chat-transfer-intro = Send it to another account of the agency, up to an agency above or down to one below. The receiving side sees the whole history; the citizen is told where the conversation went.
chat-transfer-label = Send to
chat-transfer-group-transfer = Same agency
chat-transfer-group-escalate = Above
chat-transfer-group-return = Below
chat-transfer-keep = We keep read access after handing it over
chat-transfer-reason = Note to the receiving side (staff only)
chat-transfer-submit = Hand over
chat-transfer-none = There is no account you may send it to.
chat-transfer-history = Handed over
chat-transfer-did-transfer = Transferred
chat-transfer-did-escalate = Escalated
chat-transfer-did-return = Sent back
chat-transfer-by = by
chat-transfer-subtitle = the citizen wrote to { $origin }
inbox-transferred = The conversation was handed over.
inbox-auto-legend = Automatic assignment
inbox-auto-on = Assign in turn to the officers on duty
inbox-auto-off = Do not assign automatically
chat-system = Notice
chat-integration = { $name } (integration)
chat-presence-typing = {"{"}name{"}"} is typing a reply…
chat-presence-viewing = {"{"}name{"}"} is viewing this conversation
rating-title-citizen = Rate the answer
rating-title-staff = Citizens' ratings
rating-question = How satisfied are you with the answer?
rating-stars = { $count ->
    [one] { $count } star
   *[other] { $count } stars
}
rating-comment = Anything to add (optional)
rating-submit = Send rating
inbox-overdue = Overdue
inbox-overdue-badge = Answer overdue
inbox-settings-title = Inbox settings
inbox-hours-label = Office hours
inbox-hours-hint = Vietnam time, e.g. Mon-Fri 07:30-11:30, 13:30-17:00; Sat 07:30-11:30. Empty for civil service hours.
inbox-target-label = Response target (working minutes)
inbox-settings-save = Save settings
inbox-settings-saved = Inbox settings saved.
response-title = Response times
response-note = Counted in the account's office hours ({ $hours }).
response-first = First response after
response-resolution = Resolved after
response-waiting = The citizen has been waiting
response-due = Answer due
response-overdue = overdue
response-none = Not yet
response-under-minute = under a minute
response-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
response-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
chat-labels-title = Labels
chat-labels-hint = Labels help staff sort and filter the inbox. The citizen never sees them.
chat-labels-empty = This conversation has no labels yet.
chat-labels-label = Add a label
chat-labels-label-hint = Up to 40 characters, for example: ID card, residence, complaint. A conversation carries at most 10 labels.
chat-labels-add = Add the label
chat-labels-remove = Remove the label { $label }
chat-labels-added = The label was added.
chat-labels-removed = The label was removed.
chat-labels-error-invalid = A label must be between 1 and 40 characters long, without control characters.
chat-labels-error-too-many = A conversation carries at most 10 labels. Remove one first.
inbox-labels = Filter by label
inbox-labels-clear = Clear the label filter
canned-title = Canned replies
canned-hint = Prepared answers, inserted in the composer by typing / and a few letters. {"{"}citizen_name{"}"}, {"{"}office_hours{"}"} and {"{"}account_name{"}"} are filled in when used. An agency's templates are shared with the accounts below it; an account's own reply with the same shortcut replaces one.
canned-empty = No canned replies yet.
canned-origin-account = This account's own
canned-origin-agency = Template of { $agency }
canned-overridden = Replaced by a nearer one
canned-edit = Edit
canned-save = Save the reply
canned-delete = Delete the reply
canned-new = Add a canned reply
canned-add = Add the reply
canned-scope = Belongs to
canned-scope-account = This account only
canned-scope-agency = Template of { $agency } (for every account below it)
canned-shortcut = Shortcut
canned-shortcut-hint = 1–32 lowercase letters without marks, digits, - or _, for example: tam-tru.
canned-title-field = Title
canned-body = Text
canned-body-hint = Up to 2,000 characters. You may use {"{"}citizen_name{"}"}, {"{"}office_hours{"}"}, {"{"}account_name{"}"}.
canned-created = The canned reply was added.
canned-saved = The canned reply was saved.
canned-deleted = The canned reply was deleted.
canned-error-shortcut = A shortcut must be 1 to 32 lowercase letters without marks, digits, - or _.
canned-error-taken = That shortcut is already used by another reply.
canned-error-too-many = There are already 500 canned replies. Delete an old one first.
canned-error-title = The title must be between { $min } and { $max } characters long.
canned-error-body = The text must be between { $min } and { $max } characters long.
canned-error-control = It contains a control character, which is not allowed.
canned-search = Find a reply (with or without diacritics)
canned-none-found = No matching canned reply.
canned-composer-hint = Type / and a few letters in the composer to insert a reply quickly.
canned-templates-link = Canned replies (and the agency's templates)

# Integrations (issue 19)
integrations-title = Integrations
integrations-hint = The agency's systems (one-stop desk, case management…) send messages and receive events for this account through the API. Each integration has its own app_id, secret key and access tokens; what it sends appears in the inbox under its name.
integrations-empty = No integrations yet.
integrations-new = New integration
integrations-name = Integration name
integrations-name-hint = Officers see this name beside what the system sends (at most 80 characters).
integrations-scopes = Permissions
integrations-create = Create integration
integrations-created = Integration created. Copy the key and tokens below now.
integrations-rotated = New key and tokens issued; the old ones no longer work.
integrations-revoked = Integration revoked; its tokens no longer work.
integrations-shown-title = Key and access tokens
integrations-shown-once = Shown only once. Keep them somewhere safe; if lost, press “Issue new key”.
integrations-webhook-secret = Webhook key (Standard Webhooks)
integrations-expires-hours = expires in { $count } hours
integrations-webhook = Webhook (events)
integrations-rotate = Issue new key
integrations-revoke = Revoke
integrations-revoked-at = Revoked at { $at }
integrations-created-at = created { $at }
integrations-error-name = An integration's name is 1 to 80 characters on one line.
integrations-error-scopes = Choose at least one permission.
integration-scope-message = Send messages
integration-scope-followers = Read followers and conversations
integration-scope-tags = Tag followers
integration-scope-webhooks = Receive events (webhooks)
integration-scope-broadcast = Send broadcasts
## An integration's webhook (issue 19)
webhook-title = Webhook
webhook-hint = The account's events (messages, reads, follows…) are sent to this address, signed with the integration's secret key. A failed delivery is tried again after 30 seconds, 5 minutes, 15 minutes, 30 minutes and 1 hour.
webhook-state = State:
webhook-state-on = On
webhook-state-off = Off
webhook-state-disabled = Disabled automatically
webhook-state-none = Not set up
webhook-disabled-title = The webhook was disabled automatically after failing too many times in a row.
webhook-disabled-when = Disabled at { $time }.
webhook-disabled-reason = Reason:
webhook-disabled-what-now = New events are not recorded until it is turned on again. Events not delivered are kept: once the receiver is fixed and the webhook is on, press "Redeliver" on each event to send.
webhook-url = Receiving address (URL)
webhook-url-hint = The public https:// address of the server receiving the events.
webhook-events = Events to receive
webhook-never-sent = never sent
webhook-enabled = Webhook on
webhook-save = Save
webhook-saved = The webhook is saved.
webhook-redelivered = The event is queued to be delivered again.
webhook-events-title = Recent events
webhook-no-events = No events yet.
webhook-log-title = Delivery log
webhook-no-deliveries = No deliveries yet.
webhook-col-time = Time
webhook-col-event = Event
webhook-col-state = State
webhook-col-attempt = Attempt
webhook-col-outcome = Outcome
webhook-col-answer = Answer
webhook-redeliver = Redeliver
webhook-event-pending = Pending
webhook-event-delivered = Delivered
webhook-event-failed = Failed
webhook-about-user_send_text = a citizen sends text
webhook-about-user_send_image = a citizen sends a picture
webhook-about-user_send_file = a citizen sends a file
webhook-about-user_send_location = a citizen sends a location (ketnoi has no location messages)
webhook-about-follow = a citizen follows the account
webhook-about-unfollow = a citizen stops following
webhook-about-user_received_message = a message reached the citizen's device (ketnoi does not tell receiving apart from reading)
webhook-about-user_seen_message = a citizen read messages
webhook-about-oa_send_text = the account sends text
webhook-about-oa_send_image = the account sends a picture
webhook-about-oa_send_file = the account sends a file
webhook-about-ketnoi_conversation_transferred = a conversation left the account's inbox for another account's
webhook-url-invalid-page = Enter a full https:// address without a user name or password, at most 2,000 characters.
webhook-url-insecure-page = The address must start with https://.
webhook-url-private-page = This address leads to an internal network or a reserved address; use a public one.
webhook-url-unresolved-page = This host could not be found; check the domain name.
webhook-event-unknown-page = Choose events from the list.
