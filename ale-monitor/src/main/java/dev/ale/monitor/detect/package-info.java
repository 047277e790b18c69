/** Command-line rules: what a command says it will do, judged before it runs. */
package dev.ale.monitor.detect;
