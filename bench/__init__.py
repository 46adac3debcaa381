"""The benchmark: `python -m bench [--quick] [--json PATH] [--database-url URL]`.

Four measurements, each judged against a baseline taken in the same run (machines are noisy):

1. slash commands over real HTTP (signed, like Slack) against `python -m bot serve`, next to a
   bare bolt app that only acknowledges, served the same way (`bench.http_load`, `bench.bare_app`);
2. digest assembly for a large workspace and for one a tenth of its size: time and SQL
   statements (`bench.digest_size`);
3. fan-out: thousands of workspaces due in the same minute, against the Slack emulator with its
   per-channel rate limit (`bench.fanout`);
4. peak resident memory of the serve process during 1 (`bench.memory`).

`bench.report` prints the table and checks the targets. Nothing here changes the bot.
"""
