// Package bot holds gridbot's WeChat conversations: intake of complaints, tips and grid workers' reports, commands, and the Chinese texts people read.
package bot
