/** Rules over the gateway's records: denied egress, probes, tunnels, miners, DNS exfiltration. */
package dev.ale.monitor.net;
