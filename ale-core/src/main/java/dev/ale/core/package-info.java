/** ALE's records and ports; depends on nothing else of ALE's. */
package dev.ale.core;
