/** Strict YAML reading shared by passports and tasks: every error names the file, the field and what to write. */
package dev.ale.core.yaml;
