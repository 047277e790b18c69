/** Task directories (ALE's task.yaml, Terminal-Bench's layout) read into tasks, each mistake named. */
package dev.ale.tasks;
