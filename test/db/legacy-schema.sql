-- The Python backend's schema, verbatim from docs/legacy-schema.md (SQLAlchemy models).
-- Test fixture: databases the crawler must adopt as they are.
-- stocks: the symbol universe, maintained by the backend
CREATE TABLE stocks (
  id                 serial PRIMARY KEY,
  stock_code         varchar(20)  NOT NULL UNIQUE,
  stock_name         varchar(255) NOT NULL,
  market             varchar(10)  NOT NULL,          -- 'TSE' or 'TPEx'
  industry           varchar(100),
  capital_stock      bigint,
  capital_updated_at timestamptz,
  is_active          boolean DEFAULT true,
  created_at         timestamptz DEFAULT now(),
  updated_at         timestamptz
);

-- stock_daily_data: one row per symbol and trading day
CREATE TABLE stock_daily_data (
  id                serial PRIMARY KEY,
  stock_code        varchar(10) NOT NULL,
  trade_date        timestamptz NOT NULL,            -- midnight UTC of the trading day in existing rows
  open_price        double precision,
  high_price        double precision,
  low_price         double precision,
  close_price       double precision,
  volume            bigint,
  turnover          double precision,
  price_change      double precision,
  price_change_rate double precision,
  ma5               double precision,
  ma10              double precision,
  ma20              double precision,
  data_source       varchar(50) NOT NULL,
  data_quality      varchar(20),
  is_validated      boolean DEFAULT false,
  created_at        timestamp DEFAULT now(),
  updated_at        timestamp DEFAULT now()
);
CREATE INDEX ON stock_daily_data (stock_code);
CREATE INDEX ON stock_daily_data (trade_date);
-- present in some deployments only:
-- ALTER TABLE stock_daily_data ADD UNIQUE (stock_code, trade_date);

-- task_execution_logs: the backend's run log, shown in its web UI ("manual runs")
CREATE TABLE task_execution_logs (
  id               bigserial PRIMARY KEY,
  task_name        varchar(100) NOT NULL,
  task_type        varchar(50)  NOT NULL,
  parameters       text,                              -- JSON
  status           varchar(20)  NOT NULL DEFAULT 'running', -- running | completed | failed | cancelled
  start_time       timestamptz  NOT NULL DEFAULT now(),
  end_time         timestamptz,
  duration_seconds double precision,
  progress         integer DEFAULT 0,                 -- 0..100
  processed_count  integer DEFAULT 0,
  total_count      integer DEFAULT 0,
  success_count    integer DEFAULT 0,
  error_count      integer DEFAULT 0,
  result_summary   text,
  error_message    text,
  created_by       varchar(50)
);
