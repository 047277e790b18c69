package dev.ale.server.console;

/**
 * One console page being written: the frame (navigation, who is signed in, the sign-out form with
 * its CSRF token) around a body that callers append to. Values go in through {@link #text}.
 */
final class Page {

    private final StringBuilder html = new StringBuilder(8192);

    private Page(String title) {
        html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ALE console · ").append(Html.text(title))
                .append("</title><link rel=\"stylesheet\" href=\"/ui/static/console.css\">")
                .append("<script src=\"/ui/static/console.js\" defer></script></head><body>");
    }

    /** A page for a signed-in user: the navigation and the sign-out form first. */
    static Page signedIn(String title, Sessions.Session session) {
        Page p = new Page(title);
        p.raw("<header><nav><strong>ALE console</strong> <a href=\"/ui/fleet\">Fleet</a> <a href=\"/ui/holds\">Holds</a>");
        if (session.principal().admin()) p.raw(" <a href=\"/ui/audit\">Audit</a>");
        p.raw(" <span class=\"who\">signed in as <b id=\"who\">").text(session.principal().name()).raw("</b>")
                .raw(session.principal().admin() ? " (admin)" : " (env token)").raw("</span>");
        p.raw("<form method=\"post\" action=\"/ui/logout\" class=\"inline\">").csrf(session)
                .raw("<button type=\"submit\" id=\"sign-out\">Sign out</button></form></nav></header><main>");
        p.raw("<h1>").text(title).raw("</h1>");
        return p;
    }

    static Page signedOut(String title) {
        Page p = new Page(title);
        p.raw("<main><h1>").text(title).raw("</h1>");
        return p;
    }

    Page text(String s) {
        html.append(Html.text(s));
        return this;
    }

    Page text(long n) {
        html.append(n);
        return this;
    }

    /** Markup written by this class's callers, never a value from outside. */
    Page raw(String markup) {
        html.append(markup);
        return this;
    }

    Page csrf(Sessions.Session session) {
        return raw("<input type=\"hidden\" name=\"_csrf\" value=\"").text(session.csrf()).raw("\">");
    }

    Page message(String text) {
        return raw("<p class=\"message\" id=\"message\">").text(text).raw("</p>");
    }

    Page cell(String value) {
        return raw("<td>").text(value).raw("</td>");
    }

    /** A table head row. */
    Page head(String... names) {
        raw("<thead><tr>");
        for (String n : names) raw("<th>").text(n).raw("</th>");
        return raw("</tr></thead>");
    }

    String html() {
        return html + "</main></body></html>\n";
    }
}
