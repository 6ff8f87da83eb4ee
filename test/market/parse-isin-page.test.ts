import { describe, expect, it } from 'vitest';
import { decodePage, normaliseCharset } from '../../src/market/decode-page.js';
import { parseIsinPage, type IsinPage } from '../../src/market/parse-isin-page.js';
import { readFixture } from '../support/fixtures.js';

function page(name: string): IsinPage {
  const result = parseIsinPage(decodePage(readFixture(`market/${name}`), 'ms950'));
  if (!result.ok) throw new Error(`${name} refused: ${result.refusal.message}`);
  return result.page;
}

/** A page as the exchange lays it out, from rows given as [first cell, ISIN, listed, market, industry, CFI]. */
function html(sections: Array<[string, string[][]]>, header = ['有價證券代號及名稱 ', '國際證券辨識號碼(ISIN Code)', '上市日', '市場別', '產業別', 'CFICode', '備註']): string {
  const rows = sections.flatMap(([name, cells]) => [
    `<tr><td bgcolor=#FAFAD2 colspan=7 ><B> ${name} <B> </td></tr>`,
    ...cells.map((row) => `<tr>${row.map((cell) => `<td bgcolor=#FAFAD2>${cell}</td>`).join('')}</tr>`),
  ]);
  return `<html><body><TABLE class='h4'><tr align=center>${header.map((h) => `<td>${h}</td>`).join('')}</tr>${rows.join('\n')}</table></body></html>`;
}

describe('parseIsinPage', () => {
  it('reads the TWSE page: every instrument row, its section, the code and name split at U+3000', () => {
    const { rows, malformed } = page('isin-tse.html');
    expect(rows).toHaveLength(43);
    expect(malformed).toBe(0);
    expect(rows[0]).toEqual({
      code: '1101',
      name: '台泥',
      isin: 'TW0001101006',
      listedDate: '1962-02-09',
      industry: '水泥工業',
      cfi: 'ESVUFR',
      section: '股票',
    });
    const bySection = new Map<string, string[]>();
    for (const row of rows) bySection.set(row.section, [...(bySection.get(row.section) ?? []), row.code]);
    expect([...bySection.keys()]).toEqual(['股票', '特別股', 'ETF', '受益證券-不動產投資信託', '臺灣存託憑證(TDR)', '上市認購(售)權證', 'ETN']);
    expect(bySection.get('ETF')).toEqual(['0050', '0056', '006208', '00631L', '00878']);
    expect(bySection.get('特別股')).toEqual(['2881A', '2882A']);
    expect(rows.find((row) => row.code === '00631L')).toMatchObject({ name: '元大台灣50正2', industry: null, cfi: 'CEOGDU' });
    expect(rows.find((row) => row.code === '910322')).toMatchObject({ name: '康師傅', section: '臺灣存託憑證(TDR)', cfi: 'EDSDDR' });
    // Printed as it is: the symbol rule is the selection's business.
    expect(rows.find((row) => row.code === '12345678')).toMatchObject({ name: '代號過長' });
  });

  it('reads the TPEx page, and names that need Big5 beyond the common characters', () => {
    const { rows } = page('isin-tpex.html');
    expect(rows.map((row) => row.code)).toEqual([
      '3105', '3293', '3529', '4966', '5274', '5347', '5483', '6274', '6488', '6547', '8069', '8299',
      '006201', '00679B', '70286P', '70299P', '730001',
    ]);
    expect(rows.find((row) => row.code === '3293')?.name).toBe('鈊象');
    expect(rows.find((row) => row.code === '4966')?.name).toBe('譜瑞-KY');
  });

  it.each([
    ['isin-blocked.html', 'no_table'],
    ['isin-tse-truncated.html', 'truncated'],
  ])('refuses %s (%s)', (name, reason) => {
    const result = parseIsinPage(decodePage(readFixture(`market/${name}`)));
    expect(result).toMatchObject({ ok: false, refusal: { reason } });
  });

  it('refuses the mirrors’ busy page and an empty body as pages without the table', () => {
    expect(parseIsinPage(decodePage(readFixture('blocked-page-big5.html')))).toMatchObject({ ok: false, refusal: { reason: 'no_table' } });
    expect(parseIsinPage('')).toMatchObject({ ok: false, refusal: { reason: 'no_table' } });
  });

  it('refuses a table with a header and no rows', () => {
    expect(parseIsinPage(html([]))).toMatchObject({ ok: false, refusal: { reason: 'empty' } });
  });

  it('takes a page whose table is not closed but whose document ends', () => {
    const text = html([['股票', [['2330　台積電', 'TW0002330008', '1994/09/05', '上市', '半導體業', 'ESVUFR', '']]]]).replace('</table>', '');
    expect(parseIsinPage(text)).toMatchObject({ ok: true, page: { rows: [{ code: '2330' }] } });
  });

  it('finds the columns by their header, whatever their order', () => {
    const header = ['CFICode', '產業別', '有價證券代號及名稱', '市場別', '上市日', '國際證券辨識號碼(ISIN Code)'];
    const text = html([['股票', [['ESVUFR', '半導體業', '2330　台積電', '上市', '1994/09/05', 'TW0002330008']]]], header);
    expect(parseIsinPage(text)).toMatchObject({
      ok: true,
      page: { rows: [{ code: '2330', name: '台積電', cfi: 'ESVUFR', industry: '半導體業', listedDate: '1994-09-05', isin: 'TW0002330008' }] },
    });
  });

  it('decodes entities, drops tags inside cells, and counts rows too short to hold an instrument', () => {
    const text = html([
      ['ETF', [
        ['00715L　期街口S&amp;P黃豆<br>', 'TW00000715L8', '2017/08/01', '上市', '', 'CEOGDU', ''],
        ['0050　元大台灣50', 'TW0000050004'],
        ['2330 台積電', 'TW0002330008', '1994/13/05', '上市', '', 'esvufr', ''],
      ]],
    ]);
    const result = parseIsinPage(text);
    expect(result).toMatchObject({
      ok: true,
      page: {
        malformed: 1,
        rows: [
          { code: '00715L', name: '期街口S&P黃豆', listedDate: '2017-08-01' },
          // An ordinary space also separates code and name; a bad date reads as none.
          { code: '2330', name: '台積電', listedDate: null, cfi: 'ESVUFR' },
        ],
      },
    });
  });

  it('keeps a row without a name, with an empty name', () => {
    const text = html([['股票', [['2330', 'TW0002330008', '1994/09/05', '上市', '', 'ESVUFR', '']]]]);
    expect(parseIsinPage(text)).toMatchObject({ ok: true, page: { rows: [{ code: '2330', name: '' }] } });
  });
});

describe('decodePage', () => {
  const tse = readFixture('market/isin-tse.html');

  it('decodes MS950 by the declared charset, by the page’s <meta>, or as Big5 by default', () => {
    for (const charset of ['ms950', 'MS950', 'cp950', 'big5', undefined]) {
      expect(decodePage(tse, charset)).toContain('1101　台泥');
    }
    expect(decodePage(new TextEncoder().encode('<meta charset="utf-8">台積電'))).toContain('台積電');
  });

  it('falls back to Big5 for a label TextDecoder does not know', () => {
    expect(decodePage(tse, 'x-unknown-charset')).toContain('台積電');
  });

  it('normalises the Big5 family of labels', () => {
    expect(['MS950', 'cp950', 'Big5-HKSCS', 'windows-950'].map(normaliseCharset)).toEqual(['big5', 'big5', 'big5', 'big5']);
    expect(normaliseCharset('UTF-8')).toBe('utf-8');
  });
});
