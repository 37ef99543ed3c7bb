// berth commit: a new image from a container's changes.
import { boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import { familiarName, parseNormalized } from '../../util/reference.js';

export const commitCommand: Command = {
  name: 'commit',
  use: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  flags: [
    stringFlag('author', 'a', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
    listFlag('change', 'c', 'Apply Dockerfile instruction to the created image'),
    stringFlag('message', 'm', 'Commit message'),
    boolFlag('pause', 'p', 'Pause container during commit', true),
  ],
  args: { min: 1, max: 2 },
  async run(cli, flags, [container, reference]) {
    let repo = '';
    let tag = '';
    if (reference) {
      const ref = parseNormalized(reference);
      if (ref.digest) throw new Error('refusing to create a tag with a digest reference');
      repo = familiarName(ref.name);
      tag = ref.tag ?? 'latest';
    }
    const { Id } = await cli.client().containerCommit(container, {
      repo,
      tag,
      comment: flags.string('message'),
      author: flags.string('author'),
      pause: flags.bool('pause'),
      changes: flags.list('change'),
    });
    cli.out.write(`${Id}\n`);
  },
};
