/** Protected paths: hashed when sealed, checked at every call's end. */
package dev.ale.monitor.integrity;
