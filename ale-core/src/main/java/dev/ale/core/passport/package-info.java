/** The passport: the agent's security policy, loaded strictly from YAML and written back. */
package dev.ale.core.passport;
