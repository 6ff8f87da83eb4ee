/** One daily bar as the crawler writes it and as `fetch` prints it. */
export interface DailyBar {
  stock_code: string;
  /** Trading day, `YYYY-MM-DD` (Asia/Taipei calendar day). */
  trade_date: string;
  open_price: number;
  high_price: number;
  low_price: number;
  close_price: number;
  /** Volume in lots (張, 1,000 shares). */
  volume: number;
  /** `valid`, or `weekend` for a bar dated on a Saturday or Sunday (kept, but flagged). */
  data_quality: 'valid' | 'weekend';
}
