# ketnoi API error messages (English). Every key must also be in vi.ftl.

invalid-phone = That is not a valid phone number. Enter a Vietnamese mobile number, such as 0912 345 678.
invalid-slug = A slug is 3–64 lowercase ASCII letters, digits and single inner hyphens.
invalid-area-code = An area code is 1–16 letters or digits.
invalid-agency-code = An agency code is 2–64 lowercase ASCII letters, digits, “-” or “.”.
invalid-username = A username is 3–32 lowercase ASCII letters, digits, “.”, “_” or “-”.
invalid-length = { $field } must be between { $min } and { $max } characters long.
invalid-control-character = { $field } contains a control character that is not allowed.
invalid-choice = { $field } must be one of: { $choices }.
invalid-client-msg-id = client_msg_id must be 1–64 ASCII letters, digits, '-' or '_'.
invalid-intent-id = An intent id is 1–64 lowercase letters, digits, '.', '_' or '-' (e.g. cccd.cap_moi).
invalid-button-url = A button link must start with https:// or be a path on this site starting with /.
invalid-code = The code is exactly 6 digits.
invalid-limit = limit must be between 1 and 100, and offset must not be negative.
malformed-request = The request could not be read: { $reason }
unsupported-media-type = Send the body as JSON (Content-Type: application/json).
payload-too-large = The request body is too large.
unauthenticated = You need to sign in to do this.
forbidden = You are not allowed to do this.
csrf-rejected = The request was refused because it did not come from a ketnoi page.
not-found = The { $what } was not found.
conflict = That { $what } already exists.
missing-reference = The { $what } referred to does not exist.
method-not-allowed = That method cannot be used at this address.
too-many-requests = Too many requests. Please try again in { $seconds } seconds.
otp-wrong = That code is not right. You have { $remaining } tries left.
otp-expired = That code has expired or was already used. Ask for a new one.
otp-locked = Too many wrong tries. Ask for a new code.
otp-send-failed = The code could not be sent. Please try again in a few minutes.
wrong-credentials = The username or password is not right.
not-ready = The database is not ready.
internal = Something went wrong on our side. It has been logged and will be fixed.

# Names of things, used in not-found / conflict / missing-reference.
what-account = official account
what-agency = agency
what-area = area
what-staff = staff member
what-page = page
what-session = session
what-parent-area = parent area
what-conversation = conversation
what-attachment = attachment
what-thing = item

# Conversations
client-msg-id-reused = This client_msg_id was already used for a message with different content. Use a new id for a new message.
upload-too-large = The file is too large. The limit is { $megabytes } MB.
upload-empty = The uploaded file is empty.
upload-unsupported = This kind of file is not accepted. Send a picture (JPEG, PNG, WebP), a PDF or an office document (Word, Excel, PowerPoint, OpenDocument).
upload-mismatch = The file's content does not match its declared type (Content-Type).
upload-malformed = The file is damaged or cannot be read.
bad-attachment = The attachment does not exist or does not belong to this conversation.
invalid-range = Use either before or after, not both.
invalid-cursor = Invalid before parameter; use the previous page's next value.

# Lookups
lookup-bad-key = The lookup key (candidate number, record number…) is invalid: it must not be empty or longer than 128 characters.
lookup-too-long = The value of { $field } is too long.
lookup-missing-verify = Please enter { $field } to verify.
lookup-unknown-filter = This dataset cannot be filtered by { $field }.
lookup-bad-limit = The number of results must be a whole number from 1 to 50.
lookup-not-searchable = This dataset is looked up by key only, not searched by name.
lookup-empty-search = Please enter something to search for.
lookup-no-match = No matching record. Please check what you entered.
lookup-locked = Too many wrong attempts. Please try again in about { $minutes } minutes.
what-dataset = lookup dataset
what-version = dataset version
lookup-problem-too_large = The file is too large ({ $detail }).
lookup-problem-empty = The file is empty: there is no header line.
lookup-problem-malformed = The CSV cannot be read from here on ({ $detail }).
lookup-problem-invalid_utf8 = Text that is not UTF-8 (save the file as CSV UTF-8) { $detail }.
lookup-problem-ragged = A different number of fields from the header ({ $detail }).
lookup-problem-missing_column = Column { $detail } is missing.
lookup-problem-duplicate_column = Column { $detail } appears twice.
lookup-problem-empty_key = The key field is empty.
lookup-problem-duplicate_key = The key is the same as on line { $detail }.
lookup-problem-overflow = The data is too large to serve ({ $detail }).
lookup-report-line = Line { $line }: { $problem }
lookup-report-omitted = … and { $count } more problems.
