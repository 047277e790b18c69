/** {@code ale demo}: break-out attempts, ROME's acts and what caught each, then the example tasks solved. */
package dev.ale.cli.demo;
