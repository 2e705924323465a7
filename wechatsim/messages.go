package wechatsim

// unavailableNotice is what a WeChat user sees when the account's server fails to answer.
const unavailableNotice = "该公众号暂时无法提供服务，请稍后再试"
