package dev.ale.gateway.net;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nftables table {@code inet ale}, written as {@code nft -f} transactions. Base chains hook
 * prerouting, input and forward and dispatch on the incoming interface through verdict maps, so
 * a sandbox's rules are one chain per hook plus one map element each: adding or removing a
 * sandbox is one atomic transaction that never touches another sandbox's rules and needs no rule
 * handles. Every value spliced in is generated here or by {@link LinkSlots} (ids are 8 hex digits,
 * addresses and ports are numbers).
 */
final class AleTable {

    static final String TABLE = "inet ale";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}");
    private static final Pattern SANDBOX_CHAIN = Pattern.compile("chain ale_sb_([0-9a-f]{8})_(?:early|pre|in|fwd) ");

    private AleTable() {
    }

    /**
     * Creates the table and its base chains, or rewrites the base chains' rules in place (flush
     * and add in one transaction: no moment without them). The maps keep their elements.
     * A packet from a sandbox interface that no sandbox chain claims is dropped by the last
     * rules, and so is anything forwarded to one. Whatever a sandbox sends that is neither TCP nor
     * DNS is dropped first thing in prerouting, before routing: it is counted whether or not the
     * host forwards packets (with forwarding off the kernel would discard it unseen).
     */
    static String base() {
        return """
                add table inet ale
                add map inet ale ale_early_if { type ifname : verdict ; }
                add map inet ale ale_pre_if { type ifname : verdict ; }
                add map inet ale ale_in_if { type ifname : verdict ; }
                add map inet ale ale_fwd_if { type ifname : verdict ; }
                add set inet ale ale_drops { type ifname ; flags dynamic ; counter ; size %d ; }
                add chain inet ale ale_early { type filter hook prerouting priority mangle ; policy accept ; }
                add chain inet ale ale_early_sandbox
                add chain inet ale ale_prerouting { type nat hook prerouting priority dstnat ; policy accept ; }
                add chain inet ale ale_input { type filter hook input priority filter ; policy accept ; }
                add chain inet ale ale_forward { type filter hook forward priority filter ; policy accept ; }
                flush chain inet ale ale_early
                flush chain inet ale ale_early_sandbox
                flush chain inet ale ale_prerouting
                flush chain inet ale ale_input
                flush chain inet ale ale_forward
                add rule inet ale ale_early iifname "ale-h*" jump ale_early_sandbox
                add rule inet ale ale_early_sandbox meta nfproto ipv4 meta l4proto tcp return
                add rule inet ale ale_early_sandbox meta nfproto ipv4 udp dport 53 return
                add rule inet ale ale_early_sandbox iifname vmap @ale_early_if
                add rule inet ale ale_early_sandbox drop
                add rule inet ale ale_prerouting iifname vmap @ale_pre_if
                add rule inet ale ale_input iifname vmap @ale_in_if
                add rule inet ale ale_input iifname "ale-h*" drop
                add rule inet ale ale_forward iifname vmap @ale_fwd_if
                add rule inet ale ale_forward oifname vmap @ale_fwd_if
                add rule inet ale ale_forward iifname "ale-h*" drop
                add rule inet ale ale_forward oifname "ale-h*" drop
                """.formatted(LinkSlots.SLOTS);
    }

    static String deleteTable() {
        return "delete table inet ale\n";
    }

    /**
     * One sandbox's chains and map elements; what its rules drop is counted in its element of
     * {@link #DROPS_SET} (reset here, in case a crashed sandbox left one behind). Its TCP to the proxy's well-known address
     * goes to the proxy listener, its DNS (UDP 53, to any address) to the DNS listener, and every
     * other TCP connection to the sink. Input is accepted only when it was redirected to one of
     * those listeners and comes from the sandbox's own address; everything else it sends to the
     * host, and everything forwarded from or to it, is counted and dropped. IPv6 is never
     * redirected, so all of it is dropped.
     */
    static String addSandbox(SandboxLink link, ListenerPorts ports) {
        String id = checkId(link.id());
        String sb = link.sandboxAddress().getHostAddress();
        String gw = GatewayNetwork.GATEWAY_ADDRESS.getHostAddress();
        String chain = "ale_sb_" + id;
        return """
                add element inet ale ale_drops { "%8$s" }
                delete element inet ale ale_drops { "%8$s" }
                add chain inet ale %1$s_early
                add chain inet ale %1$s_pre
                add chain inet ale %1$s_in
                add chain inet ale %1$s_fwd
                flush chain inet ale %1$s_early
                flush chain inet ale %1$s_pre
                flush chain inet ale %1$s_in
                flush chain inet ale %1$s_fwd
                add rule inet ale %1$s_early update @ale_drops { "%8$s" } drop
                add rule inet ale %1$s_pre meta nfproto != ipv4 return
                add rule inet ale %1$s_pre ip saddr != %2$s return
                add rule inet ale %1$s_pre ip daddr %3$s tcp dport %4$d dnat ip to %3$s:%5$d
                add rule inet ale %1$s_pre udp dport 53 dnat ip to %3$s:%6$d
                add rule inet ale %1$s_pre meta l4proto tcp dnat ip to %3$s:%7$d
                add rule inet ale %1$s_in ip saddr %2$s ip daddr %3$s ct status dnat tcp dport { %5$d, %7$d } accept
                add rule inet ale %1$s_in ip saddr %2$s ip daddr %3$s ct status dnat udp dport %6$d accept
                add rule inet ale %1$s_in update @ale_drops { "%8$s" } drop
                add rule inet ale %1$s_fwd update @ale_drops { "%8$s" } drop
                add element inet ale ale_early_if { "%8$s" : jump %1$s_early }
                add element inet ale ale_pre_if { "%8$s" : jump %1$s_pre }
                add element inet ale ale_in_if { "%8$s" : jump %1$s_in }
                add element inet ale ale_fwd_if { "%8$s" : jump %1$s_fwd }
                """.formatted(chain, sb, gw, ListenerPorts.PROXY_PORT_SEEN, ports.proxy(), ports.dns(), ports.sink(),
                link.hostInterface());
    }

    /**
     * Removes whatever exists of a sandbox's rules. Each piece is added first (a no-op when it
     * exists), so the deletes cannot fail on a piece that a crash never made: nft aborts the
     * whole transaction on the first error.
     */
    static String removeSandbox(String id) {
        String chain = "ale_sb_" + checkId(id);
        String hostInterface = SandboxLink.hostInterfaceOf(id);
        return """
                add chain inet ale %1$s_early
                add chain inet ale %1$s_pre
                add chain inet ale %1$s_in
                add chain inet ale %1$s_fwd
                add counter inet ale %1$s_drops
                add element inet ale ale_drops { "%2$s" }
                add element inet ale ale_early_if { "%2$s" : jump %1$s_early }
                add element inet ale ale_pre_if { "%2$s" : jump %1$s_pre }
                add element inet ale ale_in_if { "%2$s" : jump %1$s_in }
                add element inet ale ale_fwd_if { "%2$s" : jump %1$s_fwd }
                delete element inet ale ale_early_if { "%2$s" }
                delete element inet ale ale_pre_if { "%2$s" }
                delete element inet ale ale_in_if { "%2$s" }
                delete element inet ale ale_fwd_if { "%2$s" }
                delete chain inet ale %1$s_early
                delete chain inet ale %1$s_pre
                delete chain inet ale %1$s_in
                delete chain inet ale %1$s_fwd
                delete counter inet ale %1$s_drops
                delete element inet ale ale_drops { "%2$s" }
                """.formatted(chain, hostInterface);
    }

    /** The set whose elements count what each sandbox's rules dropped, keyed by the host interface. */
    static final String DROPS_SET = "ale_drops";

    /** The ids of the sandboxes that have chains in a listing of the table ({@code nft list table inet ale}). */
    static Set<String> sandboxIds(String listing) {
        Set<String> ids = new TreeSet<>();
        Matcher m = SANDBOX_CHAIN.matcher(listing);
        while (m.find()) ids.add(m.group(1));
        return ids;
    }

    static String checkId(String id) {
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("not a link id (8 hex digits): " + id);
        return id;
    }
}
