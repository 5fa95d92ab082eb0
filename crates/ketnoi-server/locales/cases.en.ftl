## Tips as cases: status, deadlines, extensions, transfers, notes.

tip-status-received = Received
tip-status-verifying = Being verified
tip-status-handling = Being handled
tip-status-closed = Closed
tips-tab-open = Open
tips-tab-received = New
tips-tab-verifying = Verifying
tips-tab-handling = Handling
tips-tab-overdue = Overdue
tips-tab-mine = Assigned to me
tips-tab-closed = Closed
tips-tab-all = All
tips-overdue-count = { $count ->
    [one] 1 tip is past its deadline.
   *[other] { $count } tips are past their deadline.
}
tip-deadline = Deadline
tip-deadline-line = Deadline: { $deadline }
tip-overdue = Overdue
tip-assignee = Officer in charge
tip-nobody = Nobody yet
tip-case-title = Dealing with the tip
tip-move-to = Move to
tip-move-submit = Update status
tip-closing-label = Reason for closing
tip-closing-hint = Required when closing the tip.
tip-closing-acted-on = Verified and acted on
tip-closing-passed-on = Passed to another competent body
tip-closing-no-offence = No sign of an offence
tip-closing-not-enough-information = Not enough information to verify
tip-closing-false-report = False report
tip-closing-duplicate = Same as another tip
tip-assign-submit = Assign
tip-extension-title = Extension
tip-extension-reason = Grounds
tip-extension-reason-complex = The matter has many complex circumstances
tip-extension-reason-several-places = It must be verified at several places
tip-extension-reason-procuracy = Extended by the procuracy
tip-extension-days = Days to add
tip-extension-days-hint = { $count ->
    [one] At most 1 day.
   *[other] At most { $count } days.
}
tip-extension-submit = Ask for an extension
tip-extension-pending-line = Waiting for approval: { $count } more days — { $reason }.
tip-extension-approve = Approve
tip-extension-refuse = Refuse
tip-extension-wait-other = Your request needs another officer of the unit to approve it.
tip-extension-none-left = All the extensions allowed have been used.
tip-history-title = History
tip-event-status = Moved to: { $status }
tip-event-assigned = Assigned to { $name }
tip-event-unassigned = Unassigned
tip-event-extension-requested = Extension of { $count } days asked — { $reason }
tip-event-extension-approved = Deadline extended to { $deadline }
tip-event-extension-refused = Extension refused
tip-event-transferred = Transferred to { $unit }
tip-event-transfer-kept = (this unit keeps access)
tip-event-moved = Your tip was passed to { $unit }, which has jurisdiction.
tip-notes-title = Internal notes
tip-notes-hint = Notes are sealed in the browser like the tip itself: only officers who can open the tip can read them; the reporter never sees them.
tip-note-label = New note
tip-note-submit = Save note
tip-transfer-title = Transfer the tip
tip-transfer-to = Receiving unit's code
tip-transfer-to-hint = The code of the competent police unit, for example ca-ha-giang.
tip-transfer-keep = This unit keeps access after the transfer
tip-transfer-submit = Transfer
tip-transfer-done = The tip was transferred.
tip-status-stale = Another officer has just updated this tip. Reload the page to see its status.
tip-status-skips = The tip cannot move to that step: it goes received → verifying → handling → closed, in order.
tip-closing-needed = Choose a reason for closing.
tip-closing-only-to-close = A closing reason is only for closing the tip.
tip-case-closed = The tip is closed and cannot be changed.
tip-assignee-not-handler = Only an officer who handles the unit's tips can be put in charge.
tip-extension-too-long = An extension is 1 to { $limit } days.
tip-extension-pending = An extension is already waiting for approval.
tip-extension-own = The officer who asked for an extension cannot approve it; another officer of the unit must.
tip-bad-decision = Unknown decision.
tip-bad-filter = Unknown tip filter.
tip-transfer-no-unit = There is no police unit with this code.
tip-transfer-no-key = The receiving unit has no tip key yet, so it cannot receive tips.
tip-transfer-same = The tip is already with this unit.
tip-transfer-stale-key = The receiving unit's key has just changed. Try the transfer again.
tip-transfer-already = The receiving unit already has this tip.
tip-transfer-too-many = The tip has passed through too many units.
