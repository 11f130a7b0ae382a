import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretFlag, isSecretName, REDACTED } from '../../src/runner/redact.js';

const R = REDACTED;

describe('createRedactor argv', () => {
  it.each([
    ['--password', ['db', '--password', 'hunter2'], ['db', '--password', R]],
    ['--token', ['x', '--token', 'abc'], ['x', '--token', R]],
    ['--api-key', ['x', '--api-key', 'k'], ['x', '--api-key', R]],
    ['--secret', ['x', '--secret', 's'], ['x', '--secret', R]],
    ['--passwd', ['x', '--passwd', 'p'], ['x', '--passwd', R]],
    ['--apikey', ['x', '--apikey', 'k'], ['x', '--apikey', R]],
    ['--access-key', ['x', '--access-key', 'k'], ['x', '--access-key', R]],
    ['--private-key', ['x', '--private-key', 'k'], ['x', '--private-key', R]],
    ['--client-secret', ['x', '--client-secret', 'k'], ['x', '--client-secret', R]],
    ['a prefixed secret option', ['x', '--db-password', 'k'], ['x', '--db-password', R]],
    ['--token=', ['x', '--token=abc'], ['x', `--token=${R}`]],
    ['--api-key=', ['x', '--api-key=a=b'], ['x', `--api-key=${R}`]],
    ['NAME_TOKEN=', ['env', 'DEMO_API_TOKEN=t', 'sh'], ['env', `DEMO_API_TOKEN=${R}`, 'sh']],
    ['NAME_SECRET=', ['env', 'APP_SECRET=s'], ['env', `APP_SECRET=${R}`]],
    ['NAME_PASSWORD=', ['env', 'DEMO_DB_PASSWORD=pw_demo_42x7q9'], ['env', `DEMO_DB_PASSWORD=${R}`]],
    ['NAME_CREDENTIALS=', ['env', 'GCP_CREDENTIALS=c'], ['env', `GCP_CREDENTIALS=${R}`]],
    ['AWS_SECRET_ACCESS_KEY=', ['env', 'AWS_SECRET_ACCESS_KEY=k'], ['env', `AWS_SECRET_ACCESS_KEY=${R}`]],
    ['a secret option as the last argument', ['x', '--token'], ['x', '--token']],
    ['a secret option followed by another option', ['mysql', '--password', '--user', 'root'], ['mysql', '--password', '--user', 'root']],
    ['an empty =-value', ['x', '--token=', 'DB_PASSWORD='], ['x', '--token=', 'DB_PASSWORD=']],
    ['a --no- negation', ['x', '--no-password', 'file'], ['x', '--no-password', 'file']],
    ['--password-stdin (a switch)', ['docker', 'login', '--password-stdin', 'host'], ['docker', 'login', '--password-stdin', 'host']],
    ['--token inside a shell snippet', ['sh', '-c', 'curl --token abc https://x'], ['sh', '-c', `curl --token ${R} https://x`]],
    ['--token= inside a shell snippet', ['sh', '-c', 'tool --token="abc" -v'], ['sh', '-c', `tool --token="${R}" -v`]],
    [
      'NAME_SECRET= inside a shell snippet',
      ['sh', '-c', "cd /a && APP_SECRET='s3' ./serve; DB_PASSWORD=p ./x"],
      ['sh', '-c', `cd /a && APP_SECRET='${R}' ./serve; DB_PASSWORD=${R} ./x`],
    ],
    ['a whole NAME_SECRET= argument with spaces in its value', ['env', 'APP_SECRET=a b c'], ['env', `APP_SECRET=${R}`]],
    ['a shell snippet without secrets', ['sh', '-c', 'echo "auth $DEMO_API_TOKEN" --lr 0.1 X=1'], ['sh', '-c', 'echo "auth $DEMO_API_TOKEN" --lr 0.1 X=1']],
    ['ordinary arguments', ['python', 'train.py', '--lr', '0.1', 'EPOCHS=3'], ['python', 'train.py', '--lr', '0.1', 'EPOCHS=3']],
  ])('masks %s in the recorded argv', (_form, argv, expected) => {
    expect(createRedactor(argv, {}).argv).toEqual(expected);
  });

  it('masks an environment secret that the shell expanded into an argument', () => {
    const r = createRedactor(['curl', '-H', 'Authorization: Bearer ghp_0123456789'], { GITHUB_TOKEN: 'ghp_0123456789' });
    expect(r.argv).toEqual(['curl', '-H', `Authorization: Bearer ${R}`]);
  });

  it('masks a long value found in a shell snippet wherever it appears in lines', () => {
    const r = createRedactor(['sh', '-c', 'login --password hunter2hunter2 && echo ok'], {});
    expect(r.text('password is hunter2hunter2')).toBe(`password is ${R}`);
  });

  it.each([
    ['echo --password hunter2222; true', `echo --password ${R}; true`],
    ['echo --password=hunter2222&&true', `echo --password=${R}&&true`],
    ['cd /a; DB_PASSWORD=hunter2222|tee x', `cd /a; DB_PASSWORD=${R}|tee x`],
    ['(tool --token hunter2222)', `(tool --token ${R})`],
  ])('ends a snippet value at a shell separator and masks it in lines too: %s', (snippet, recorded) => {
    const r = createRedactor(['sh', '-c', snippet], {});
    expect(r.argv).toEqual(['sh', '-c', recorded]);
    expect(r.text('--password hunter2222')).toBe(`--password ${R}`);
  });

  it('does not mutate the argv or env it is given', () => {
    const argv = Object.freeze(['x', '--token', 'abcdefgh123', 'K_SECRET=zzzzzzzzzz']);
    const env = Object.freeze({ MY_TOKEN: 'envsecret123' });
    const r = createRedactor(argv, env);
    expect(argv).toEqual(['x', '--token', 'abcdefgh123', 'K_SECRET=zzzzzzzzzz']);
    expect(r.argv).not.toBe(argv);
  });
});

describe('createRedactor text', () => {
  it.each([
    ['a --token value', ['x', '--token', 'tok_abcdefgh'], {}, 'using tok_abcdefgh now', `using ${R} now`],
    ['a --token= value', ['x', '--token=tok_abcdefgh'], {}, 'tok_abcdefgh', R],
    ['a NAME_PASSWORD= value', ['env', 'DEMO_DB_PASSWORD=pw_demo_42x7q9'], {}, 'pw=pw_demo_42x7q9;', `pw=${R};`],
    ['an env secret', ['x'], { DEMO_API_TOKEN: 'tok_demo_8f3a9c1e5b7d' }, 'auth tok_demo_8f3a9c1e5b7d / x', `auth ${R} / x`],
    ['every occurrence', ['x'], { A_SECRET: 'abcdefgh' }, 'abcdefgh abcdefgh', `${R} ${R}`],
    ['two different secrets', ['x', '--secret', 'ssssssss'], { A_TOKEN: 'tttttttt' }, 'ssssssss/tttttttt', `${R}/${R}`],
    ['a lower-case secret name', ['x'], { npm_config_token: 'npmtoken1234' }, 'npmtoken1234', R],
    ['an 8-character value (the threshold)', ['x'], { K_SECRET: '12345678' }, 'id 12345678', `id ${R}`],
  ])('masks %s', (_what, argv, env, line, expected) => {
    expect(createRedactor(argv, env).text(line)).toBe(expected);
  });

  it.each([
    ['a short env value', ['x'], { K_SECRET: '1234567' }, 'id 1234567'],
    ['a short argv value', ['x', '--token', 'abc'], {}, 'abc abc'],
    ['a value of a variable whose name is not secret', ['x'], { HOME_DIR: '/home/someone' }, 'in /home/someone'],
    ['a secret-looking name that ends differently', ['x'], { TOKENIZERS_PARALLELISM: 'falsefalse' }, 'falsefalse'],
  ])('leaves %s in free text', (_what, argv, env, line) => {
    expect(createRedactor(argv, env).text(line)).toBe(line);
  });

  it('keeps a short argv value masked in its argv position', () => {
    const r = createRedactor(['x', '--token', 'abc'], {});
    expect(r.argv).toEqual(['x', '--token', R]);
    expect(r.text('abc')).toBe('abc');
  });

  it.each([
    ['one value containing another', { A_TOKEN: 'secret123', B_TOKEN: 'xxsecret123xx' }, 'a xxsecret123xx b', `a ${R} b`],
    ['a shorter value inside a longer one, listed first', { A_TOKEN: 'abcdefgh', B_TOKEN: 'abcdefghijkl' }, 'abcdefghijkl', R],
    ['two values overlapping at the edges', { A_TOKEN: 'aaaabbbb', B_TOKEN: 'bbbbcccc' }, '<aaaabbbbcccc>', `<${R}>`],
    ['adjacent values', { A_TOKEN: 'aaaaaaaa', B_TOKEN: 'bbbbbbbb' }, 'aaaaaaaabbbbbbbb!', `${R}!`],
    ['a value repeated with overlap', { A_TOKEN: 'abababab' }, 'ababababab', R],
  ])('masks the whole of %s', (_what, env, line, expected) => {
    const out = createRedactor(['x'], env).text(line);
    expect(out).toBe(expected);
    for (const value of Object.values(env)) expect(out).not.toContain(value);
  });

  it.each([['a.b*c+d?e'], ['(x|y)[z]{2}'], ['^$\\.\\d+\\s'], ['pa$$word/\\w']])('treats regex characters in %s literally', (value) => {
    const r = createRedactor(['x'], { SOME_PASSWORD: value });
    expect(r.text(`before ${value} after`)).toBe(`before ${R} after`);
    expect(r.text('before aXbbbbce after xy')).toBe('before aXbbbbce after xy');
  });

  it('returns the same strings when there are no secrets', () => {
    const r = createRedactor(['python', 'train.py'], { PATH: '/usr/bin', HOME: '/home/u' });
    const line = 'loss=0.1';
    expect(r.text(line)).toBe(line);
    expect(r.text('see https://example.com/a:b@c and authorization pending')).toBe('see https://example.com/a:b@c and authorization pending');
  });

  it.each([
    ['Authorization: Bearer SECRETXYZ123', `Authorization: Bearer ${R}`],
    ['> authorization: basic YWRtaW46cHc=', `> authorization: basic ${R}`],
    ['Proxy-Authorization: Token abc.def', `Proxy-Authorization: Token ${R}`],
    ['cloning https://bob:pw7777@git.example.com/r.git', `cloning https://bob:${R}@git.example.com/r.git`],
    ['postgres://app:s3cr3t@db:5432/x', `postgres://app:${R}@db:5432/x`],
  ])('masks a credential recognisable by its shape in any line: %s', (line, masked) => {
    expect(createRedactor(['x'], {}).text(line)).toBe(masked);
  });

  it('masks credential shapes in argv too (curl -H, URLs with a password)', () => {
    const r = createRedactor(['curl', '-H', 'Authorization: Bearer SECRETXYZ123', 'https://u:pw7777@h/x'], {});
    expect(r.argv).toEqual(['curl', '-H', `Authorization: Bearer ${R}`, `https://u:${R}@h/x`]);
  });

  it('returns the same string for a line without a secret', () => {
    const r = createRedactor(['x'], { K_SECRET: 'abcdefgh' });
    const line = 'epoch=1 loss=0.25';
    expect(r.text(line)).toBe(line);
  });
});

describe('secret names', () => {
  it.each([
    ['DEMO_API_TOKEN', true],
    ['TOKEN', true],
    ['GITHUB_TOKEN', true],
    ['APP_SECRET', true],
    ['DB_PASSWORD', true],
    ['DB_PASSWD', true],
    ['OPENAI_API_KEY', true],
    ['X_APIKEY', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['SSH_PRIVATE_KEY', true],
    ['GCP_CREDENTIAL', true],
    ['GCP_CREDENTIALS', true],
    ['GITHUB_PAT', true],
    ['HF_AUTH', true],
    ['OPENAI_KEY', true],
    ['GPG_PASSPHRASE', true],
    ['KEY', true],
    ['PATH_PREFIX', false],
    ['OAUTH', false],
    ['AUTHOR', false],
    ['KEY_FILE', false],
    ['TOKENIZERS_PARALLELISM', false],
    ['PATH', false],
    ['KEYBOARD', false],
    ['MYTOKEN', false],
    ['1_TOKEN', false],
  ])('isSecretName(%s) is %s', (name, expected) => {
    expect(isSecretName(name)).toBe(expected);
  });

  it.each([
    ['--token', true],
    ['--api-key', true],
    ['--client-secret', true],
    ['--db-password', true],
    ['--access-key', true],
    ['--key', true],
    ['--auth', true],
    ['--github-pat', true],
    ['--key-file', false],
    ['--author', false],
    ['--password-stdin', false],
    ['--no-password', false],
    ['--tokens', false],
    ['-p', false],
    ['token', false],
    ['--', false],
  ])('isSecretFlag(%s) is %s', (flag, expected) => {
    expect(isSecretFlag(flag)).toBe(expected);
  });
});
