package dev.ale.gateway.proxy;

import dev.ale.core.net.AddressRanges;
import dev.ale.core.net.AddressSpellings;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.SandboxClients.Client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the proxy may dial a target for a client, decided before any packet leaves: allowlist
 * first (so a refused name is never even looked up), then the host's resolution, refused when any
 * address it gives is internal (DNS rebinding) unless the operator pinned the name.
 */
sealed interface Verdict {

    /** Dial these, in order; they are the addresses checked, so a second lookup cannot swap them. */
    record Dial(List<InetAddress> addresses) implements Verdict {
    }

    /**
     * @param reason  for the record: {@code not allowlisted}, {@code resolves to private 10.0.0.5}, …
     * @param message for the client's error page
     */
    record Refuse(int status, String reason, String message) implements Verdict {
    }

    static Verdict decide(Client client, Target target, HostResolver resolver) {
        String hostPort = target.hostPort();
        String phase = client.phase().wire();
        // every spelling of an address (2852039166, 0xA9FEA9FE, 127.1, ::ffff:…) is one, judged as the address it reaches
        Optional<InetAddress> literal = AddressSpellings.parse(target.host());
        if (literal.isPresent()) {
            String address = AddressSpellings.embedded(literal.get()).getHostAddress();
            String spelled = address.equals(target.host()) ? "" : " (" + address + ")";
            return new Refuse(403, "not allowlisted",
                    hostPort + " is an address" + spelled + ", and the allowlist of phase " + phase + " names hosts only");
        }
        if (!client.allows(target.host(), target.port())) {
            String why = client.allowsName(target.host()) ? "port " + target.port() + " is not allowlisted for " + target.host()
                    : hostPort + " is not allowlisted";
            return new Refuse(403, "not allowlisted", why + " for phase " + phase);
        }
        List<InetAddress> addresses;
        try {
            addresses = List.copyOf(resolver.resolve(target.host()));
        } catch (UnknownHostException | RuntimeException e) {
            addresses = List.of();
        }
        if (addresses.isEmpty()) {
            return new Refuse(502, "cannot resolve", "the gateway cannot resolve " + target.host());
        }
        boolean pinned = resolver.isPinned(target.host());
        for (InetAddress a : addresses) {
            AddressRanges.Kind kind = AddressRanges.classify(a);
            // a pin is the operator's choice, but never ALE's own links: other sandboxes live there
            if (kind == AddressRanges.Kind.ALE_LINK || (!pinned && !kind.isPublic())) {
                String what = kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + a.getHostAddress();
                return new Refuse(403, "resolves to " + what,
                        target.host() + " resolves to " + what + ", an internal address; refused");
            }
        }
        return new Dial(addresses);
    }
}
