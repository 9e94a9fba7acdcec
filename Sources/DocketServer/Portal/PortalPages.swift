import DocketApp
import Mustache

/// The portal's pages: Mustache templates compiled into the binary (no files to ship or find), rendered with
/// swift-mustache, whose `{{name}}` escapes HTML (`&<>"'`). Only the layout prints a value unescaped (`{{{body}}}`),
/// and that value is a page these templates rendered. No JavaScript; one small stylesheet that reads on a phone.
enum PortalPages {
    /// The templates by name.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            // The templates are constants of this file: one that does not parse is a programming error the tests catch.
            try! library.register(text, named: name)
        }
        return library
    }()

    /// Renders page `name` with `values`, inside the layout (title, the signed-in contact and the sign-out form).
    static func render(
        _ name: String, title: String, values: [String: Any], signedIn: (name: String, client: String, billing: Bool)?, csrf: String
    ) -> String {
        var values = values
        values["csrf"] = csrf
        values["maxFileMiB"] = PortalService.maxAttachmentBytes / 1_048_576
        values["maxTotalMiB"] = PortalService.maxAttachmentsTotalBytes / 1_048_576
        let body = library.render(values, withTemplate: name) ?? ""
        var layout: [String: Any] = ["title": title, "body": body, "csrf": csrf]
        if let signedIn { layout["signedIn"] = ["name": signedIn.name, "client": signedIn.client, "billing": signedIn.billing] }
        return library.render(layout, withTemplate: "layout") ?? ""
    }

    static let templates: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Support portal</title>
            <style>
            body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
            header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#1f3a5f;color:#fff}
            header a{color:#fff}
            main{max-width:46rem;margin:0 auto;padding:1rem}
            label{display:block;font-weight:600;margin-top:1rem}
            input,textarea,select{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:1px solid #888;border-radius:4px}
            textarea{min-height:8rem}
            button,.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem;font:inherit;background:#1f3a5f;color:#fff;border:0;border-radius:4px;text-decoration:none}
            header button{margin:0;background:#fff;color:#1f3a5f}
            form.inline{display:inline}
            table{width:100%;border-collapse:collapse}
            th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
            .entry{background:#fff;border:1px solid #ddd;border-radius:4px;padding:.5rem .75rem;margin:.75rem 0;white-space:pre-wrap}
            .files{white-space:normal;margin:.5rem 0 0;padding-left:1.25rem}
            .entry.client{border-left:4px solid #1f3a5f}
            .meta{color:#555;font-size:.875rem}
            .error{color:#8b0000;font-weight:600}
            td.num,th.num{text-align:right;white-space:nowrap}
            fieldset{border:1px solid #ddd;border-radius:4px;margin-top:1rem}
            label.choice{display:inline-block;font-weight:400;margin:.25rem 1rem .25rem 0}
            label.choice input{width:auto}
            @media (max-width:30rem){th.wide,td.wide{display:none}}
            </style>
            </head>
            <body>
            <header><a href="/portal/tickets">Support portal</a>{{#signedIn}}<nav><a href="/portal/tickets">Tickets</a>{{#billing}} · <a href="/portal/invoices">Invoices</a>{{/billing}}</nav><span>{{name}} ({{client}})</span>
            <form class="inline" method="post" action="/portal/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>{{/signedIn}}</header>
            <main>
            {{{body}}}
            </main>
            </body>
            </html>
            """,
        "sign-in": """
            <h1>Sign in</h1>
            <p>Enter your email address and we will send you a link to sign in. It works once, for 15 minutes.</p>
            <form method="post" action="/portal/sign-in">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="email">Email address</label>
            <input id="email" name="email" type="email" autocomplete="email" maxlength="254" required>
            <button type="submit">Send me a link</button>
            </form>
            """,
        "link-sent": """
            <h1>Check your email</h1>
            <p>If {{email}} is the address of one of our clients' contacts, a sign-in link is on its way to it.
            The link works once, for 15 minutes.</p>
            """,
        "landing": """
            <h1>Sign in</h1>
            <p>Continue to sign in to the support portal on this device.</p>
            <form method="post" action="/portal/link/{{token}}">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" id="continue">Continue</button>
            </form>
            """,
        "tickets": """
            <h1>Your tickets</h1>
            <p><a class="button" href="/portal/tickets/new">Open a new ticket</a></p>
            <form method="get" action="/portal/tickets" role="search">
            <label for="q">Find a ticket (words of its subject or resolution)</label>
            <input id="q" name="q" type="search" maxlength="200" value="{{search}}">
            <button type="submit">Search</button>{{#search}} <a href="/portal/tickets">Show all</a>{{/search}}
            </form>
            {{^tickets}}{{#search}}<p>No ticket matches “{{search}}”.</p>{{/search}}{{^search}}<p>You have no tickets yet.</p>{{/search}}{{/tickets}}
            {{#hasTickets}}
            <table>
            <caption class="meta">Tickets of {{clientName}}{{#search}} matching “{{search}}”{{/search}}, newest first</caption>
            <thead><tr><th scope="col">Ticket</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col" class="wide">Response time</th></tr></thead>
            <tbody>
            {{#tickets}}<tr><td><a href="/portal/tickets/{{number}}">{{number}}</a></td><td>{{subject}}</td><td>{{status}}</td><td class="wide">{{sla}}</td></tr>
            {{/tickets}}
            </tbody>
            </table>
            {{/hasTickets}}
            """,
        "ticket": """
            <p><a href="/portal/tickets">&larr; Your tickets</a></p>
            <h1>{{number}}: {{subject}}</h1>
            <p class="meta">Status: <strong>{{status}}</strong> · Priority {{priority}}{{#category}} · {{category}}{{/category}} · Response time: {{sla}}</p>
            {{#entries}}<section class="entry{{#fromClient}} client{{/fromClient}}"><div class="meta">{{author}} · {{at}}</div>{{text}}{{#hasAttachments}}
            <ul class="files">{{#attachments}}<li><a href="{{href}}" download>{{name}}</a> <span class="meta">({{size}})</span></li>{{/attachments}}</ul>{{/hasAttachments}}</section>
            {{/entries}}
            {{#open}}
            <form method="post" action="/portal/tickets/{{number}}/replies" enctype="multipart/form-data">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="text">Your reply</label>
            <textarea id="text" name="text" maxlength="20000" required></textarea>
            <label for="files">Attach files (optional; up to {{maxFileMiB}} MiB each, {{maxTotalMiB}} MiB together)</label>
            <input id="files" name="files" type="file" multiple>
            <button type="submit">Send reply</button>
            </form>
            {{/open}}
            {{^open}}<p>This ticket is closed. To follow up, open a new ticket.</p>{{/open}}
            {{#rateable}}
            <h2>How did we do?</h2>
            {{#given}}<p id="given-rating">You rated this resolution <strong>{{rating}}</strong>{{#comment}}: “{{comment}}”{{/comment}}. A new rating replaces it.</p>{{/given}}
            <form method="post" action="/portal/tickets/{{number}}/rating">
            <input type="hidden" name="csrf" value="{{csrf}}">
            {{> rating-fields}}
            </form>
            {{/rateable}}
            """,
        "rating-fields": """
            <fieldset><legend>Your rating</legend>
            {{#ratings}}<label class="choice"><input type="radio" name="rating" value="{{value}}"{{#checked}} checked{{/checked}} required> {{label}}</label>{{/ratings}}
            </fieldset>
            <label for="comment">Anything to add? (optional)</label>
            <textarea id="comment" name="comment" maxlength="{{maxComment}}"></textarea>
            <button type="submit" id="send-rating">Send rating</button>
            """,
        "rate": """
            <h1>How did we do?</h1>
            <p>Your rating of the resolution of {{number}}: {{subject}}</p>
            {{#given}}<p id="given-rating">You rated it <strong>{{rating}}</strong>{{#comment}}: “{{comment}}”{{/comment}}. A new rating replaces it.</p>{{/given}}
            <form method="post" action="/portal/rate/{{token}}">
            <input type="hidden" name="csrf" value="{{csrf}}">
            {{> rating-fields}}
            </form>
            """,
        "rated": """
            <h1>Thank you</h1>
            <p>Your rating (<strong>{{rating}}</strong>) is recorded. It helps us do better.</p>
            <p><a href="/portal">Sign in to the support portal</a></p>
            """,
        "new-ticket": """
            <p><a href="/portal/tickets">&larr; Your tickets</a></p>
            <h1>Open a new ticket</h1>
            <form method="post" action="/portal/tickets" enctype="multipart/form-data">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="subject">Subject</label>
            <input id="subject" name="subject" maxlength="200" required>
            <label for="description">What happened?</label>
            <textarea id="description" name="description" maxlength="20000"></textarea>
            <label for="category">Category (optional)</label>
            <input id="category" name="category" maxlength="100" placeholder="e.g. Printing, Network, Email">
            <label for="priority">Priority</label>
            <select id="priority" name="priority">{{#priorities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/priorities}}</select>
            <label for="files">Attach files (optional; up to {{maxFileMiB}} MiB each, {{maxTotalMiB}} MiB together)</label>
            <input id="files" name="files" type="file" multiple>
            <button type="submit">Open ticket</button>
            </form>
            """,
        "invoices": """
            <h1>Invoices</h1>
            {{^invoices}}<p>You have no invoices yet.</p>{{/invoices}}
            {{#hasInvoices}}
            <table>
            <caption class="meta">Invoices and credit notes of {{clientName}}, newest first</caption>
            <thead><tr><th scope="col">Number</th><th scope="col">Period</th><th scope="col" class="wide">Issued</th><th scope="col" class="num">Total</th><th scope="col">Status</th></tr></thead>
            <tbody>
            {{#invoices}}<tr><td><a href="/portal/invoices/{{number}}">{{number}}</a></td><td>{{period}}</td><td class="wide">{{issued}}</td><td class="num">{{total}} {{currency}}</td><td>{{status}}</td></tr>
            {{/invoices}}
            </tbody>
            </table>
            {{/hasInvoices}}
            """,
        "invoice": """
            <p><a href="/portal/invoices">&larr; Invoices</a></p>
            <h1>{{kind}} {{number}}</h1>
            <p class="meta">Period {{period}} · issued {{issued}}{{#status}} · {{status}}{{/status}}</p>
            {{#reason}}<p>Reason: {{reason}}</p>{{/reason}}
            {{#hasBillTo}}<address class="bill-to">Bill to:{{#billTo}}<br>{{text}}{{/billTo}}</address>{{/hasBillTo}}
            <table>
            <thead><tr><th scope="col">Line</th><th scope="col">Description</th><th scope="col" class="num">Hours</th><th scope="col" class="num wide">H:MM</th><th scope="col" class="num wide">Rate/h</th><th scope="col" class="num">Amount</th><th scope="col" class="wide">Notes</th></tr></thead>
            <tbody>
            {{#rows}}<tr><td>{{line}}</td><td>{{description}}</td><td class="num">{{hours}}</td><td class="num wide">{{billedTime}}</td><td class="num wide">{{rate}}</td><td class="num">{{amount}}</td><td class="wide">{{remark}}</td></tr>
            {{/rows}}
            </tbody>
            </table>
            <p>Subtotal {{subtotal}} {{currency}}</p>
            {{#taxes}}<p>{{text}}</p>{{/taxes}}
            <p><strong>Total {{total}} {{currency}}</strong></p>
            {{#footnotes}}<p class="meta">{{text}}</p>{{/footnotes}}
            """,
        "error": """
            <h1>{{heading}}</h1>
            <p class="error" role="alert">{{message}}</p>
            <p><a href="{{back}}">{{backLabel}}</a></p>
            """,
    ]
}
