# Extra tag of the message that confirms a form's save: the page showing it marks the
# message data-draft-saved (templates/base.html), and static/js/draft.js then drops
# the draft it kept of that form.
DRAFT_SAVED = "draft-saved"
