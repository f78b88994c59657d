"""Every edition and every week as a newsletter: email.html (tables, CSS inlined), email.txt and
email.eml beside the edition's page (plan.py, render.py, message.py: pure, part of the build), and
`digest send`, which mails a built e-mail over SMTP, once per recipient (send.py)."""
