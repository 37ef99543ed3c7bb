// The Dockerfile parser and Docker's variable substitution, alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileParseError, parseDockerfile, splitStages } from '../../src/build/dockerfile.js';
import { expandPairs, expandWord, expandWords } from '../../src/build/expand.js';

const vars: Record<string, string> = { A: 'a', EMPTY: '', PATHY: '/usr/bin' };
const lookup = (n: string) => vars[n];

describe('parseDockerfile', () => {
  it('joins continuations, drops comments (also inside continuations) and reads flags and JSON forms', () => {
    const { instructions } = parseDockerfile(
      ['# syntax=docker/dockerfile:1', 'FROM busybox AS base', '', 'RUN echo a \\', '# a comment', '    b', 'COPY --chown=1:2 --from=base x /y', 'CMD ["sh", "-c", "x"]', 'ENTRYPOINT [not json'].join('\n'),
    );
    assert.deepEqual(
      instructions.map((i) => [i.keyword, i.args, i.line]),
      [
        ['from', 'busybox AS base', 2],
        ['run', 'echo a     b', 4],
        ['copy', 'x /y', 7],
        ['cmd', '["sh", "-c", "x"]', 8],
        ['entrypoint', '[not json', 9],
      ],
    );
    assert.deepEqual([...instructions[2].flags], [['chown', '1:2'], ['from', 'base']]);
    assert.deepEqual(instructions[3].json, ['sh', '-c', 'x']);
    assert.equal(instructions[4].json, undefined);
  });

  it('takes the escape directive only at the top', () => {
    const { escape, instructions } = parseDockerfile('# escape=`\nFROM x\nRUN echo a `\n b\n');
    assert.equal(escape, '`');
    assert.equal(instructions[1].args, 'echo a  b');
    assert.equal(parseDockerfile('FROM x\n# escape=`\nRUN a \\\n b').instructions[1].args, 'a  b');
  });

  it("rejects unknown instructions with Docker's message", () => {
    assert.throws(() => parseDockerfile('FROM x\nFOO bar'), (err: Error) => err instanceof DockerfileParseError && err.message === 'dockerfile parse error line 2: unknown instruction: FOO');
  });

  it("rejects flags the instruction does not take, with Docker's message", () => {
    assert.throws(() => parseDockerfile('FROM x\nCOPY --foo=1 a b'), { message: 'dockerfile parse error line 2: Unknown flag: foo' });
    assert.equal(parseDockerfile('FROM --platform=linux/amd64 x').instructions[0].flags.get('platform'), 'linux/amd64');
  });

  it('splits stages and the ARGs before the first FROM', () => {
    const { metaArgs, stages } = splitStages(parseDockerfile('ARG V=1\nFROM a:$V AS One\nRUN x\nFROM one\nCOPY --from=0 / /').instructions);
    assert.equal(metaArgs.length, 1);
    assert.deepEqual(stages.map((s) => [s.name, s.instructions.length]), [['one', 1], [undefined, 1]]);
    assert.throws(() => splitStages(parseDockerfile('RUN x').instructions), /no build stage/);
  });
});

describe('variable expansion', () => {
  it('substitutes $VAR, ${VAR} and the :- :+ - + forms', () => {
    assert.equal(expandWord('$A-${A}x', lookup), 'a-ax');
    assert.equal(expandWord('${NOPE:-d} ${EMPTY:-d} ${EMPTY-d} ${A:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${NOPE+alt}', lookup), 'd d  alt  alt ');
    assert.equal(expandWord('${NOPE:-$A/x}', lookup), 'a/x');
    assert.equal(expandWord('$ and $1x', lookup), '$ and x');
  });

  it('keeps single quotes literal, expands in double quotes, honours the escape character', () => {
    assert.equal(expandWord(`'$A' "$A b" \\$A`, lookup), '$A a b $A');
    assert.equal(expandWord('"say \\"hi\\""', lookup), 'say "hi"');
    assert.equal(expandWord('`$A', lookup, '`'), '$A');
  });

  it('splits words on unquoted whitespace only', () => {
    assert.deepEqual(expandWords('a "b c" $PATHY  d\\ e', lookup), ['a', 'b c', '/usr/bin', 'd e']);
  });

  it('reads ENV/LABEL pairs in both forms', () => {
    assert.deepEqual(expandPairs('X=1 Y="two words" Z=$A', lookup), [['X', '1'], ['Y', 'two words'], ['Z', 'a']]);
    assert.deepEqual(expandPairs('X hello $A world', lookup), [['X', 'hello a world']]);
  });
});
